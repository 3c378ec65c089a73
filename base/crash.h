/* crash.h - named crash points for crash-consistency tests.
 *
 * BERTH_CRASH_AT=<name> makes the process kill itself with SIGKILL when it
 * reaches the step of that name, as a `kill -9` there would.
 * BERTH_PAUSE_AT=<name> makes it stop itself there (SIGSTOP) until a test
 * sends SIGCONT: a window between two steps held open, for races.  Both are
 * inherited by what the process starts (a CLI's monitor).  Compiled in
 * always; a step costs one cached getenv and a strcmp or two.  The steps are
 * listed in docs/ARCHITECTURE.md (Damaged state and races) and walked by
 * tests/integration/faults.bats. */
#pragma once

void crash_point(const char *name);
