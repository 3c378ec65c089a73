/* dag: ordering, parallelism bound, failure propagation, cycles, dry run. */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "base/dag.h"
#include "tap.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int running, max_running, seq, order[16];

struct arg {
        int id;
        int fail;
        int usleep_us;
};

static int op_fn(void *p, err_t *err)
{
        struct arg *a = p;
        pthread_mutex_lock(&mu);
        running++;
        if (running > max_running)
                max_running = running;
        pthread_mutex_unlock(&mu);
        usleep((useconds_t)a->usleep_us);
        pthread_mutex_lock(&mu);
        running--;
        order[a->id] = seq++;
        pthread_mutex_unlock(&mu);
        if (a->fail)
                return err_set(err, EIO, "op %d failed", a->id);
        return 0;
}

static void reset(void)
{
        running = max_running = seq = 0;
        memset(order, -1, sizeof(order));
}

int main(void)
{
        err_t e;
        struct arg args[8];
        for (int i = 0; i < 8; i++)
                args[i] = (struct arg){i, 0, 20000};

        /* chain 0 -> 1 -> 2 plus independent 3..7 */
        reset();
        struct dag d = {0};
        for (int i = 0; i < 8; i++)
                dag_add(&d, "op", op_fn, &args[i]);
        dag_depend(&d, 1, 0);
        dag_depend(&d, 2, 1);
        is_int(dag_run(&d, 3, false, NULL, NULL, &e), 0, "graph runs");
        ok(order[0] < order[1] && order[1] < order[2], "dependencies respected");
        ok(max_running <= 3, "parallelism bounded (max %d)", max_running);
        ok(max_running >= 2, "runs in parallel (max %d)", max_running);
        for (size_t i = 0; i < d.n; i++)
                if (d.ops[i].state != DAG_DONE)
                        ok(0, "op %zu done", i);
        dag_free(&d);

        /* failure: dependents skipped, independent ops still run */
        reset();
        args[1].fail = 1;
        struct dag d2 = {0};
        dag_add(&d2, "first", op_fn, &args[0]);
        dag_add(&d2, "second", op_fn, &args[1]);
        dag_add(&d2, "third", op_fn, &args[2]);
        dag_add(&d2, "other", op_fn, &args[3]);
        dag_depend(&d2, 1, 0);
        dag_depend(&d2, 2, 1);
        is_int(dag_run(&d2, 0, false, NULL, NULL, &e), -1, "failure reported");
        is_str(e.msg, "second: op 1 failed", "error names the operation");
        is_int(d2.ops[2].state, DAG_SKIPPED, "dependent skipped");
        is_int(d2.ops[3].state, DAG_DONE, "independent op ran");
        dag_free(&d2);
        args[1].fail = 0;

        /* cycle */
        struct dag d3 = {0};
        dag_add(&d3, "a", op_fn, &args[0]);
        dag_add(&d3, "b", op_fn, &args[1]);
        dag_depend(&d3, 0, 1);
        dag_depend(&d3, 1, 0);
        reset();
        is_int(dag_run(&d3, 2, false, NULL, NULL, &e), -1, "cycle rejected");
        is_int(seq, 0, "nothing ran");
        ok(strstr(e.msg, "cycle") != NULL, "message says cycle: %s", e.msg);
        dag_free(&d3);

        /* dry run executes nothing */
        struct dag d4 = {0};
        dag_add(&d4, "a", op_fn, &args[0]);
        reset();
        is_int(dag_run(&d4, 2, true, NULL, NULL, &e), 0, "dry run");
        is_int(seq, 0, "dry run executed nothing");
        dag_free(&d4);
        return tap_done();
}
