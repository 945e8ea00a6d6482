// The catalogue: every implementation of every contract, with its metadata and
// its expected verdict per check.
//
// An entry is a struct:
//
//   struct my_entry {
//       static constexpr std::string_view name = "my_thing";      // unique
//       static constexpr origin_kind origin = origin_kind::in_house;
//       static constexpr bool lock_free = true;
//       template <class World> using type = my_thing<World>;     // or a peer type
//       static constexpr bool world_swappable = true;            // false for peers
//       static constexpr gauntlet::expectations expected{...};   // justified in a comment
//   };
//
// and a component's catalogue is a `type_list` of entries. Every check walks
// the list with `for_each_entry`, so adding an entry (one struct, one list
// element) plugs an implementation into every check and benchmark.
#pragma once

#include <string_view>
#include <type_traits>

#include "verdict.hpp"

namespace gauntlet {

template <class... Entries>
struct type_list {
    static constexpr std::size_t size = sizeof...(Entries);
};

template <class... Entries, class F>
void for_each_entry(type_list<Entries...>, F&& f) {
    (f.template operator()<Entries>(), ...);
}

// Expected verdict of an entry under each check.
struct expectations {
    expect property = expect::pass;
    expect model = expect::pass;
    expect stress = expect::pass;  // native build
    expect tsan = expect::pass;    // the same stress body under ThreadSanitizer
    expect bench = expect::pass;
    // Concurrent histories checked by the Wing-Gong linearizability checker;
    // n/a for contracts that promise no total order.
    expect linearizability = expect::na;
};

template <class Entry>
record record_for(std::string_view component) {
    record r;
    r.component = std::string(component);
    r.implementation = std::string(Entry::name);
    r.origin = std::string(to_string(Entry::origin));
    return r;
}

}  // namespace gauntlet
