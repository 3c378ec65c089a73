/* berth version: Docker's Client and Engine sections; --version: one line. */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "commands.h"

#ifndef BERTH_VERSION
#define BERTH_VERSION "0.1.0-dev"
#endif

#if defined(__x86_64__)
#define BERTH_ARCH "amd64"
#elif defined(__aarch64__)
#define BERTH_ARCH "arm64"
#elif defined(__i386__)
#define BERTH_ARCH "386"
#elif defined(__arm__)
#define BERTH_ARCH "arm"
#else
#define BERTH_ARCH "unknown"
#endif

const char *berth_version(void)
{
        return BERTH_VERSION;
}

int cmd_version(int argc, char **argv)
{
        if (argc > 0 && (!strcmp(argv[0], "--version") || !strcmp(argv[0], "-v"))) {
                printf("berth version %s\n", BERTH_VERSION);
                return 0;
        }
        if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
                printf("Usage:  berth version\n\nShow the berth version information\n");
                return 0;
        }
        if (argc > 1) {
                die_msg("version: unsupported argument '%s' (--format is not implemented yet)\n"
                        "See 'berth version --help'.",
                        argv[1]);
                return EXIT_BERTH;
        }
        struct utsname u;
        const char *kernel = uname(&u) == 0 ? u.release : "unknown";
        /* daemonless: the engine is this same binary */
        printf("Client:\n"
               " Version:           %s\n"
               " C compiler:        %s\n"
               " OS/Arch:           linux/%s\n"
               " Context:           default\n"
               "\n"
               "Server: berth Engine (daemonless)\n"
               " Engine:\n"
               "  Version:          %s\n"
               "  C compiler:       %s\n"
               "  OS/Arch:          linux/%s\n"
               "  Kernel Version:   %s\n",
               BERTH_VERSION, "gcc " __VERSION__, BERTH_ARCH, BERTH_VERSION, "gcc " __VERSION__,
               BERTH_ARCH, kernel);
        return 0;
}
