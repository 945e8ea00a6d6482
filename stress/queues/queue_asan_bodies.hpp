// The two bodies check "asan" runs per queue (queue_asan.cpp), each compiled
// in a translation unit of its own: the AddressSanitizer build is -O0 and
// this program was its longest compile (120 s as one unit, with the other
// core idle for the last 30 s of the build). Each body looks the entry up
// by name in the catalogue.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>

#include "primitives/harness/check_program.hpp"
#include "properties/rapidcheck_params.hpp"
#include "stress/queues/queue_stress.hpp"

namespace gauntlet::queue_asan {

// The model-based property body (properties/queues/queue_model_check.hpp)
// of the entry named ctx.entry. It is the heavy one (112 s to compile at
// -O0): queue_asan_property_part.cpp, compiled once per part P, compiles
// the entries whose catalogue index is P modulo property_parts.
inline constexpr std::size_t property_parts = 3;
template <std::size_t Part>
std::optional<result> property_part(const rapidcheck_options& opts, const entry_context& ctx);
template <>
std::optional<result> property_part<0>(const rapidcheck_options& opts, const entry_context& ctx);
template <>
std::optional<result> property_part<1>(const rapidcheck_options& opts, const entry_context& ctx);
template <>
std::optional<result> property_part<2>(const rapidcheck_options& opts, const entry_context& ctx);
result property_body(const rapidcheck_options& opts, const entry_context& ctx);
// queue_asan_stress.cpp: the stress body (stress/queues/queue_stress.hpp).
result stress_body(const queue_stress::options& opts, const entry_context& ctx);

// The body of the catalogue entry named ctx.entry among the entries whose
// index is Part modulo Parts, if one is.
template <std::size_t Part, std::size_t Parts, class... Es, std::size_t... I, class F>
std::optional<result> in_part(type_list<Es...>, std::index_sequence<I...>, const entry_context& ctx, F&& body) {
    std::optional<result> r;
    (
        [&] {
            if constexpr (I % Parts == Part)
                if (!r && Es::name == ctx.entry) r = body.template operator()<Es>();
        }(),
        ...);
    return r;
}
template <std::size_t Part, std::size_t Parts, class... Es, class F>
std::optional<result> in_part(type_list<Es...> list, const entry_context& ctx, F&& body) {
    return in_part<Part, Parts>(list, std::index_sequence_for<Es...>{}, ctx, std::forward<F>(body));
}

// The body of the catalogue entry named ctx.entry, or a failure naming it.
template <class Catalogue, class F>
result by_name(const entry_context& ctx, F&& body) {
    std::optional<result> r = in_part<0, 1>(Catalogue{}, ctx, std::forward<F>(body));
    return r ? std::move(*r) : result::fail("no catalogue queue is named '" + std::string(ctx.entry) + "'");
}

}  // namespace gauntlet::queue_asan
