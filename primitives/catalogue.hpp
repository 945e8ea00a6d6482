// The catalogue: every implementation of every contract, with its metadata and
// its expected verdict per check.
//
// An entry is a struct:
//
//   struct my_entry {
//       static constexpr std::string_view name = "my_thing";            // unique
//       static constexpr origin_kind origin = origin_kind::in_house;    // in-house | seed | published | peer | mutant
//       static constexpr progress_kind progress = progress_kind::lock_free;  // checked by the progress check
//       template <class World> using type = my_thing<World>;           // a peer ignores World
//       static constexpr expectations expected{...};                    // one reason per expectation
//   };
//
// A component kind (lifecycle_kind, queue_kind, ...) names its catalogue, a
// `type_list` of entries, and how a record names the component; every check
// walks it through check_program::run, so adding an entry (one struct, one
// list element) plugs an implementation into every check and benchmark.
#pragma once

#include <cstddef>
#include <string_view>
#include <type_traits>

#include "primitives/harness/expectation.hpp"

namespace gauntlet {

template <class... Entries>
struct type_list {
    static constexpr std::size_t size = sizeof...(Entries);
};

template <class... Entries, class F>
void for_each_entry(type_list<Entries...>, F&& f) {
    (f.template operator()<Entries>(), ...);
}

namespace catalogue_detail {
template <class... Ls>
struct concat;
template <>
struct concat<> {
    using type = type_list<>;
};
template <class... A>
struct concat<type_list<A...>> {
    using type = type_list<A...>;
};
template <class... A, class... B, class... Rest>
struct concat<type_list<A...>, type_list<B...>, Rest...> {
    using type = typename concat<type_list<A..., B...>, Rest...>::type;
};
}  // namespace catalogue_detail

template <class... Lists>
using concat_lists = typename catalogue_detail::concat<Lists...>::type;

// An entry whose type is written over a world (every origin but peer) can be
// compiled against the Relacy world and model-checked.
template <class E>
inline constexpr bool world_swappable = E::origin != origin_kind::peer;

}  // namespace gauntlet
