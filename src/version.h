/* version.h - berth's version, as `version`, `--version` and `info` print it. */
#ifndef BERTH_VERSION_H
#define BERTH_VERSION_H

#ifndef BERTH_VERSION
#define BERTH_VERSION "0.1.0-dev"
#endif

#endif
