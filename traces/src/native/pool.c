/* pool.c — decode-ahead threads for mtr_reader (contract: reader_internal.h).
 *
 * Workers claim chunks in increasing order and decode each completely into
 * a slot; the consumer takes slots strictly in chunk order, so the record
 * stream (and the point where an error surfaces) is the same as with one
 * thread. Chunk c lives in slot c % nslots, and no chunk at or beyond
 * consume + nslots is claimed, so a slot is never written while the consumer
 * reads it. A failed chunk is delivered in order as an error, like a good one.
 *
 * Locking: one mutex guards the counters and slot states; a READY slot's
 * records are read by the consumer without the lock (no worker touches a
 * slot until the consumer frees it). */
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>

#include "native/reader_internal.h"

enum { SLOT_FREE, SLOT_BUSY, SLOT_READY };

typedef struct slot {
    int state;
    mtr_record *recs;
    size_t cap;
    uint32_t n;
    mmu_status st;
    mmu_error err;
} slot;

struct mtr_pool {
    const mtr_reader *r;
    pthread_mutex_t mu;
    pthread_cond_t work; /* a chunk became claimable, or stop */
    pthread_cond_t done; /* a slot became READY, or a worker went idle */
    pthread_t *th;
    unsigned nthreads, started, nslots;
    slot *slots;
    uint64_t claim;   /* next chunk a worker claims */
    uint64_t consume; /* chunk the consumer takes next */
    unsigned busy;    /* workers decoding */
    bool stop;
};

static void decode_into(mtr_pool *p, mtr_scratch *sc, uint64_t c, slot *s) {
    const mtr_reader *r = p->r;
    const uint32_t count = r->chunks[c].count;
    mtr_dec d;
    s->st = MMU_OK;
    s->n = 0;
    if (s->cap < count) {
        mtr_record *n = realloc(s->recs, (size_t)count * sizeof *n);
        if (!n) {
            s->st = mmu_error_set(&s->err, MMU_ERR_NOMEM, "%s: out of memory decoding chunk %llu", r->name,
                                  (unsigned long long)c);
            return;
        }
        s->recs = n;
        s->cap = count;
    }
    s->st = mtr_load_chunk(r, sc, c, &d, &s->err);
    if (s->st != MMU_OK) return;
    if (mtr_dec_run(&d, s->recs, count) != 0) {
        s->st = mtr_dec_error(r, c, &d, &s->err);
        return;
    }
    s->n = count;
}

static void *worker(void *arg) {
    mtr_pool *p = arg;
    mtr_scratch sc = {0};
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->stop && !(p->claim < p->r->nchunks && p->claim < p->consume + p->nslots))
            pthread_cond_wait(&p->work, &p->mu);
        if (p->stop) break;
        const uint64_t c = p->claim++;
        slot *s = &p->slots[c % p->nslots];
        assert(s->state == SLOT_FREE);
        s->state = SLOT_BUSY;
        p->busy++;
        pthread_mutex_unlock(&p->mu);
        decode_into(p, &sc, c, s);
        pthread_mutex_lock(&p->mu);
        s->state = SLOT_READY;
        p->busy--;
        pthread_cond_broadcast(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    mtr_scratch_free(&sc);
    return NULL;
}

mtr_pool *mtr_pool_create(const mtr_reader *r, unsigned threads, mmu_error *err) {
    assert(threads > 1);
    if (threads > 256) threads = 256;
    mtr_pool *p = calloc(1, sizeof *p);
    if (!p) goto nomem;
    p->r = r;
    p->nthreads = threads;
    p->nslots = 2 * threads; /* each worker can finish one chunk while another waits */
    p->claim = p->consume = r->nchunks; /* idle until the first restart */
    p->slots = calloc(p->nslots, sizeof *p->slots);
    p->th = calloc(threads, sizeof *p->th);
    if (!p->slots || !p->th) goto nomem;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->done, NULL);
    for (; p->started < threads; p->started++) {
        if (pthread_create(&p->th[p->started], NULL, worker, p) != 0) {
            mmu_error_set(err, MMU_ERR_NOMEM, "%s: cannot start decoder thread %u", r->name, p->started);
            mtr_pool_destroy(p);
            return NULL;
        }
    }
    return p;
nomem:
    if (p) {
        free(p->slots);
        free(p->th);
        free(p);
    }
    mmu_error_set(err, MMU_ERR_NOMEM, "%s: out of memory", r->name);
    return NULL;
}

void mtr_pool_destroy(mtr_pool *p) {
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->started; i++) pthread_join(p->th[i], NULL);
    for (unsigned i = 0; i < p->nslots; i++) free(p->slots[i].recs);
    pthread_cond_destroy(&p->done);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->mu);
    free(p->slots);
    free(p->th);
    free(p);
}

void mtr_pool_restart(mtr_pool *p, uint64_t start) {
    pthread_mutex_lock(&p->mu);
    p->claim = p->r->nchunks; /* no new claims while in-flight work drains */
    while (p->busy > 0) pthread_cond_wait(&p->done, &p->mu);
    for (unsigned i = 0; i < p->nslots; i++) p->slots[i].state = SLOT_FREE;
    p->claim = p->consume = start;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
}

mmu_status mtr_pool_take(mtr_pool *p, const mtr_record **recs, uint32_t *n, mmu_error *err) {
    pthread_mutex_lock(&p->mu);
    assert(p->consume < p->r->nchunks);
    slot *s = &p->slots[p->consume % p->nslots];
    while (s->state != SLOT_READY) pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
    if (s->st != MMU_OK) {
        if (err) *err = s->err;
        return s->st;
    }
    *recs = s->recs;
    *n = s->n;
    return MMU_OK;
}

void mtr_pool_next(mtr_pool *p) {
    pthread_mutex_lock(&p->mu);
    p->slots[p->consume % p->nslots].state = SLOT_FREE;
    p->consume++;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
}
