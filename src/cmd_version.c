/* berth version: Docker's Client and Engine sections; --version: one line. */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "cli.h"
#include "commands.h"
#include "table.h"
#include "version.h"

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

int cmd_version(int argc, char **argv)
{
        if (argc > 0 && (!strcmp(argv[0], "--version") || !strcmp(argv[0], "-v"))) {
                printf("berth version %s\n", BERTH_VERSION);
                return 0;
        }
        const char *format;
        int first = format_flag_only(argc, argv, "version", "Show the berth version information",
                                     "json or a Go template ({{.Server.Version}} ...)", &format);
        if (first <= 0)
                return cli_status(first);
        struct utsname u;
        const char *kernel = uname(&u) == 0 ? u.release : "unknown";
        if (format) { /* docker's version document: Client and Server */
                json_t *doc = json_pack(
                    "{s:{s:{s:s},s:s,s:s,s:s,s:s,s:s},s:{s:{s:s},s:[{s:s,s:s}],s:s,s:s,s:s,s:s,"
                    "s:s}}",
                    "Client", "Platform", "Name", "berth", "Version", BERTH_VERSION, "CCompiler",
                    "gcc " __VERSION__, "Os", "linux", "Arch", BERTH_ARCH, "Context", "default",
                    "Server", "Platform", "Name", "berth Engine (daemonless)", "Components", "Name",
                    "Engine", "Version", BERTH_VERSION, "Version", BERTH_VERSION, "CCompiler",
                    "gcc " __VERSION__, "Os", "linux", "Arch", BERTH_ARCH, "KernelVersion", kernel);
                int rc = doc_format_print(doc, format);
                json_decref(doc);
                return rc < 0 ? EXIT_BERTH : 0;
        }
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
