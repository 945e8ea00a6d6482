// Which pool, and which of its workers, the calling thread is: submit()
// pushes to the worker's own queue from inside a job and to the shared
// queue from anywhere else.
//
// Natively a thread_local. The Relacy world runs every simulated thread as a
// fiber of one OS thread, so a thread_local would be shared by all of them:
// the model (models/pool/pool_model.cpp) specialises pool_thread_slot for
// relacy_world by Relacy's own thread index.
#pragma once

namespace gauntlet {

struct pool_thread_id {
    const void* pool = nullptr;
    unsigned index = 0;
};

template <class World>
struct pool_thread_slot {
    static pool_thread_id& get() {
        thread_local pool_thread_id id;
        return id;
    }
};

// Sets the calling thread's identity for the scope of a worker loop.
template <class World>
struct pool_thread_scope {
    pool_thread_id saved;
    pool_thread_scope(const void* pool, unsigned index) : saved(pool_thread_slot<World>::get()) {
        pool_thread_slot<World>::get() = {pool, index};
    }
    ~pool_thread_scope() { pool_thread_slot<World>::get() = saved; }
    pool_thread_scope(const pool_thread_scope&) = delete;
    pool_thread_scope& operator=(const pool_thread_scope&) = delete;
};

}  // namespace gauntlet
