// cache_padded<T>: a value alone on its own pair of cache lines.
//
// Two values written by different threads must not share a cache line, or
// every write by one thread invalidates the line under the other (false
// sharing). On x86 the unit to isolate is a PAIR of 64-byte lines: the L2
// adjacent-line ("spatial") prefetcher fetches the 128-byte aligned pair a
// missed line belongs to, so a neighbour on the other half of the pair still
// ping-pongs (Intel 64 and IA-32 Architectures Optimization Reference Manual,
// 2.x "Data prefetching", L2 spatial prefetcher; crossbeam-utils
// cache_padded.rs uses 128 bytes on x86_64 for this reason). The other
// mainstream 64-bit targets (aarch64 big cores) also use 128-byte granules.
//
// `cache_padded` is over-aligned and sized to a multiple of the granule, so
// an array of them or a struct with several of them puts each value on its
// own granule. Heap allocation relies on C++17 aligned operator new.
#pragma once

#include <cstddef>
#include <utility>

namespace gauntlet {

// The isolation granule: two 64-byte lines (see above).
inline constexpr std::size_t cache_granule = 128;

template <class T>
struct alignas(cache_granule) cache_padded {
    static_assert(alignof(T) <= cache_granule,
                  "cache_padded: T is over-aligned beyond the 128-byte granule");

    T value;

    template <class... A>
    constexpr explicit cache_padded(A&&... a) : value(std::forward<A>(a)...) {}

    T& operator*() noexcept { return value; }
    const T& operator*() const noexcept { return value; }
    T* operator->() noexcept { return &value; }
    const T* operator->() const noexcept { return &value; }
};

static_assert(sizeof(cache_padded<char>) == cache_granule,
              "cache_padded: a small value must occupy exactly one granule");
static_assert(alignof(cache_padded<char>) == cache_granule,
              "cache_padded: must be aligned to the granule");
static_assert(sizeof(cache_padded<char[cache_granule + 1]>) == 2 * cache_granule,
              "cache_padded: a large value must be rounded up to whole granules");

}  // namespace gauntlet
