// One part of queue_asan's property body (queue_asan_bodies.hpp): the
// entries whose catalogue index is GAUNTLET_QUEUE_ASAN_PART modulo
// property_parts. stress/queues/meson.build compiles this file once per part.
#include "properties/queues/queue_model_check.hpp"
#include "stress/queues/queue_asan_bodies.hpp"

#ifndef GAUNTLET_QUEUE_ASAN_PART
#error "compile with -DGAUNTLET_QUEUE_ASAN_PART=N, one object per part (stress/queues/meson.build)"
#endif

namespace gauntlet::queue_asan {

template <>
std::optional<result> property_part<GAUNTLET_QUEUE_ASAN_PART>(const rapidcheck_options& opts,
                                                              const entry_context& ctx) {
    return in_part<GAUNTLET_QUEUE_ASAN_PART, property_parts>(
        queue_kind::catalogue{}, ctx, [&]<class E>() { return queue_model_check::check_entry<E>(opts, ctx); });
}

}  // namespace gauntlet::queue_asan
