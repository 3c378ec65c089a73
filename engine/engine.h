/* engine/ - the container engine between the commands and the modules.
 *
 *   src/ (argv, output)  ->  engine/  ->  compose/ | runtime/ | net/  ->  base/
 *
 * engine/ turns what a command asked for into operations on the modules:
 * the typed container spec, container create and start, network glue, the
 * compose planner.  It sees base/, compose/, runtime/ and net/ (included as
 * "compose/model.h", ...) and nothing of src/; no module below sees it (the
 * Makefile's include paths make either mistake a compile error, checked by
 * `make layering-check`).  Like the modules, it prints nothing: fallible
 * calls return < 0 and fill an err_t, warnings are handed back. */
#pragma once
