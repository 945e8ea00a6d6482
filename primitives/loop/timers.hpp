// Timer queues for the loop's timer phase: the pending timers of one loop,
// each an absolute deadline in milliseconds of the loop's monotonic clock and
// a task. Loop thread only: plain containers, no atomics, nothing shared, so
// the same code compiles in the Relacy world unchanged.
//
// Contract (the concept timer_queue below):
//
//   timer_id add(deadline, task)  queues a timer; a deadline already past is
//                                 simply due. The timer gets sequence
//                                 next_seq() (0, 1, 2, ... per add).
//   bool cancel(timer_id)         true iff that timer was pending; it never
//                                 pops afterwards. The id of a fired or
//                                 cancelled timer, and a default-constructed
//                                 id, return false, even after the timer's
//                                 storage holds another timer.
//   bool pop_due(now, seq_limit, task& out)
//                                 takes the pending timer with the least
//                                 (deadline, sequence) if its deadline <= now
//                                 and its sequence < seq_limit: stores its
//                                 task in out, returns true. Otherwise false
//                                 and no timer is removed (the wheel may
//                                 move its own time; its lower bound only
//                                 rises).
//   next_seq(), size()            the next add's sequence; pending timers.
//   next_deadline()               nullopt iff nothing is pending; otherwise
//                                 a value <= the earliest pending deadline
//                                 (exact_next_deadline says whether it is
//                                 that deadline or a lower bound).
//
// Callers pass a `now` that never decreases. Hence timers pop in (deadline,
// sequence) order: equal deadlines in insertion order, never one before its
// deadline.
// The phase: a loop's timer phase reads now and seq_limit = next_seq() once,
// then pops until pop_due returns false. A timer that a callback adds during
// the phase gets a sequence >= seq_limit and waits for the next phase even
// when it is already due, so a callback re-arming a zero-delay timer cannot
// hold the loop in the phase.
// The sleep: after pop_due(now, ...) has returned false while no pending
// deadline is <= now, next_deadline() > now. A loop that sleeps until
// next_deadline() may wake early where it is a lower bound, but every such
// wake-up moves the bound past now: the loop never spins.
//
// Two implementations:
//   timer_heap   binary min-heap on (deadline, sequence), each node knowing
//                its heap position (libuv, Node and Bun keep timers in a
//                heap). add, cancel, pop O(log n); next_deadline exact, O(1).
//                The choice when the sleep must end exactly at the next
//                deadline, or timers are few.
//   timer_wheel  hierarchical timing wheel (Varghese and Lauck, scheme 7; the
//                cascading wheel of Linux before 4.8): 1 ms slots, 6 levels of
//                64, an overflow list beyond 2^36 ms. add and cancel O(1), a
//                timer cascades down at most once per level, next_deadline a
//                lower bound (a sleeping loop also wakes at cascades). The
//                choice when many timers are armed, above all when most are
//                cancelled before they fire (I/O timeouts); bench_timers
//                compares the two at a million timers.
// Both keep nodes in one vector with a free list; a timer_id is (node index,
// sequence), and a node is pending iff it holds that sequence, so an id
// outlives its timer safely. Up to 2^32 - 1 timers can be pending at once.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "primitives/loop/contract.hpp"

namespace gauntlet {

// Names one add(). The sequence is unique for the queue's lifetime (64 bits
// do not wrap), so it is the id's generation: a reused node holds another
// sequence and an old id no longer matches it.
struct timer_id {
    std::uint32_t node = ~std::uint32_t{0};  // default: no node, cancels nothing
    std::uint64_t seq = ~std::uint64_t{0};
};

template <class Q>
concept timer_queue = std::default_initializable<Q> &&
                      requires(Q& q, const Q& cq, std::uint64_t ms, task t, timer_id id, task& out) {
                          { q.add(ms, t) } -> std::same_as<timer_id>;
                          { q.cancel(id) } -> std::same_as<bool>;
                          { q.pop_due(ms, ms, out) } -> std::same_as<bool>;
                          { cq.next_seq() } -> std::same_as<std::uint64_t>;
                          { cq.size() } -> std::same_as<std::size_t>;
                          { cq.next_deadline() } -> std::same_as<std::optional<std::uint64_t>>;
                      };

namespace timer_detail {

inline constexpr std::uint32_t no_node = ~std::uint32_t{0};
inline constexpr std::uint64_t no_seq = ~std::uint64_t{0};  // never issued: a free node holds it

// Both queues' node storage: one vector (indices stay valid when it grows,
// pointers would not), a free list threaded through `next_free`. Node needs
// members `seq` and `next_free`.
template <class Node>
class node_pool {
public:
    std::uint32_t acquire(std::uint64_t seq) {
        std::uint32_t i = free_;
        if (i != no_node) {
            free_ = nodes_[i].next_free;
        } else {
            i = static_cast<std::uint32_t>(nodes_.size());
            nodes_.emplace_back();
        }
        nodes_[i].seq = seq;
        return i;
    }
    void release(std::uint32_t i) {
        nodes_[i].seq = no_seq;
        nodes_[i].next_free = free_;
        free_ = i;
    }
    // The node of a pending timer, or null when the id names none: out of
    // range (the default id), or the node is free or holds a later timer.
    Node* find(timer_id id) {
        if (id.node >= nodes_.size() || id.seq == no_seq) return nullptr;
        Node& n = nodes_[id.node];
        return n.seq == id.seq ? &n : nullptr;
    }
    Node& operator[](std::uint32_t i) { return nodes_[i]; }
    const Node& operator[](std::uint32_t i) const { return nodes_[i]; }

private:
    std::vector<Node> nodes_;
    std::uint32_t free_ = no_node;
};

}  // namespace timer_detail

// ---------------------------------------------------------------- the heap

struct timer_heap_policy {
    // cancel() fills the hole with the last element and sifts it up or down
    // to its place. Without the sift the moved element can sit below a
    // larger parent or above a smaller child: the heap order breaks, and a
    // later pop returns a timer that is not the least.
    static constexpr bool sift_on_cancel = true;
};

template <class Policy = timer_heap_policy>
class timer_heap {
public:
    static constexpr bool exact_next_deadline = true;

    timer_id add(std::uint64_t deadline, task t) {
        const std::uint64_t seq = next_seq_++;
        const std::uint32_t n = nodes_.acquire(seq);
        nodes_[n].t = t;
        heap_.push_back({deadline, seq, n});
        sift_up(heap_.size() - 1);
        return {n, seq};
    }

    bool cancel(timer_id id) {
        node* n = nodes_.find(id);
        if (n == nullptr) return false;
        remove_at(n->pos, Policy::sift_on_cancel);
        nodes_.release(id.node);
        return true;
    }

    // The least element is the root: O(1) to decide, O(log n) to remove.
    bool pop_due(std::uint64_t now, std::uint64_t seq_limit, task& out) {
        if (heap_.empty()) return false;
        const element top = heap_[0];
        if (top.deadline > now || top.seq >= seq_limit) return false;
        out = nodes_[top.node].t;
        remove_at(0, true);
        nodes_.release(top.node);
        return true;
    }

    std::uint64_t next_seq() const { return next_seq_; }
    std::size_t size() const { return heap_.size(); }
    std::optional<std::uint64_t> next_deadline() const {
        if (heap_.empty()) return std::nullopt;
        return heap_[0].deadline;
    }

private:
    struct node {
        task t;
        std::uint64_t seq = timer_detail::no_seq;
        std::uint32_t pos = 0;  // index in heap_ while pending
        std::uint32_t next_free = timer_detail::no_node;
    };
    // The key lives in the heap array itself, so sifting compares without
    // touching the nodes; the node only learns its new position.
    struct element {
        std::uint64_t deadline;
        std::uint64_t seq;
        std::uint32_t node;
        bool before(const element& o) const { return deadline != o.deadline ? deadline < o.deadline : seq < o.seq; }
    };

    void put(std::size_t i, const element& e) {
        heap_[i] = e;
        nodes_[e.node].pos = static_cast<std::uint32_t>(i);
    }
    void sift_up(std::size_t i) {
        const element e = heap_[i];
        while (i > 0) {
            const std::size_t parent = (i - 1) / 2;
            if (!e.before(heap_[parent])) break;
            put(i, heap_[parent]);
            i = parent;
        }
        put(i, e);
    }
    void sift_down(std::size_t i) {
        const element e = heap_[i];
        const std::size_t n = heap_.size();
        for (;;) {
            std::size_t child = 2 * i + 1;
            if (child >= n) break;
            if (child + 1 < n && heap_[child + 1].before(heap_[child])) ++child;
            if (!heap_[child].before(e)) break;
            put(i, heap_[child]);
            i = child;
        }
        put(i, e);
    }
    // Removes the element at i: the last element fills the hole and, with
    // `sift`, moves up (it may be less than the hole's parent: it came from
    // another subtree) or down to restore the order.
    void remove_at(std::size_t i, bool sift) {
        const element last = heap_.back();
        heap_.pop_back();
        if (i == heap_.size()) return;  // the hole was the last position
        put(i, last);
        if (!sift) return;
        if (i > 0 && last.before(heap_[(i - 1) / 2]))
            sift_up(i);
        else
            sift_down(i);
    }

    std::vector<element> heap_;
    timer_detail::node_pool<node> nodes_;
    std::uint64_t next_seq_ = 0;
};

// ---------------------------------------------------------------- the wheel

struct timer_wheel_policy {
    // Before the wheel pops from a level-0 slot whose list is out of
    // sequence order, it sorts the list. Equal deadlines meet in one slot out
    // of insertion order after a cascade (timer_wheel says how); without the
    // sort they pop in list order, breaking FIFO among equal deadlines.
    static constexpr bool sort_ties = true;
};

// The wheel keeps a time of its own, `cur_` (<= every now it was given),
// and files each timer by its distance from cur_:
//   deadline < cur_                  the due list, sorted by (deadline, seq);
//   distance < 64                    level 0, slot deadline % 64 (1 ms each);
//   64^l <= distance < 64^(l+1)      level l (1..5), slot (deadline >> 6l) % 64,
//                                    each slot 64^l ms wide;
//   distance >= 64^6 = 2^36 ms       the overflow list (about 795 days).
// Invariants, with C_l = cur_ >> 6l:
//   (I0) a level-0 slot holds timers of one deadline, in [cur_, cur_ + 64);
//   (Il) a level-l slot holds timers of block B = deadline >> 6l with
//        C_l < B <= C_l + 64 (each index names one block: the next one);
//   (Iv) an overflow deadline is >= cur_ + 2^36 when it is filed;
//        overflow_min_ is <= every overflow deadline (a cancel may leave it
//        lower), so the rescan time below is > cur_ until the rescan.
// Events, in time order, drive the wheel forward: a level-l slot cascades
// at the start of its block (B << 6l), refiling its timers by their distance
// from there (each lands in a lower level: its distance is now < 64^l); the
// overflow list is rescanned at overflow_min_ - 2^36 + 1, the first time a
// timer of it may come within range; a level-0 slot pops at its deadline.
// pop_due(now) moves cur_ to the earliest event while it is <= now and, on
// arrival at a new millisecond, first does every cascade due there, lowest
// level first (a refiled timer lands in a block after cur_'s at its new
// level, so nothing it lands in is due again at cur_), then the overflow
// rescan; then it pops from cur_'s level-0 slot. When no event is <= now,
// cur_ moves to now: nothing lies between, so the invariants hold there.
//
// The tie trap: filing by distance means a timer armed far ahead waits in a
// higher level while a later timer with the same deadline, armed once cur_
// is within 64 ms of it, goes straight to level 0; the cascade then appends
// the older timer after the newer. Level-0 slots note when an append breaks
// sequence order and are sorted before they pop (timer_wheel_policy).
//
// Costs: add O(1) (a deadline already past walks the due list back past the
// later past deadlines; a loop arms deadlines >= now and never walks);
// cancel O(1) (an intrusive doubly-linked list per slot, over pooled nodes);
// pop amortized O(levels) per timer (each cascades at most once per level)
// plus the sort of a disordered slot; finding the next event scans one
// 64-bit occupancy word per level.
template <class Policy = timer_wheel_policy>
class timer_wheel {
public:
    static constexpr bool exact_next_deadline = false;  // a cascade's start may stand in for a deadline
    static constexpr unsigned slot_bits = 6;
    static constexpr unsigned slots = 1u << slot_bits;
    static constexpr unsigned levels = 6;
    static constexpr std::uint64_t span = std::uint64_t{1} << (slot_bits * levels);  // 2^36 ms
    static_assert(slot_bits * levels < 64, "the wheel's span must fit in 64-bit milliseconds");

    timer_id add(std::uint64_t deadline, task t) {
        const std::uint64_t seq = next_seq_++;
        const std::uint32_t n = nodes_.acquire(seq);
        nodes_[n].deadline = deadline;
        nodes_[n].t = t;
        file(n);
        ++size_;
        return {n, seq};
    }

    bool cancel(timer_id id) {
        if (nodes_.find(id) == nullptr) return false;
        unlink(id.node);
        nodes_.release(id.node);
        --size_;
        return true;
    }

    bool pop_due(std::uint64_t now, std::uint64_t seq_limit, task& out) {
        // A past-deadline timer is less than every filed one (their
        // deadlines are >= cur_): the due list's head is the least.
        if (lists_[due_list].head != timer_detail::no_node) return take(due_list, seq_limit, out);
        for (;;) {
            const std::uint64_t at = next_event(true);
            if (at > now) {  // no_time (nothing pending) included
                cur_ = std::max(cur_, now);  // no event lies in (cur_, now]
                return false;
            }
            if (at > cur_) {
                cur_ = at;
                if (cascade_at_cur()) continue;
            }
            // Every cascade due at cur_ is done, so the event is cur_'s
            // level-0 slot: it holds every timer of the least pending
            // deadline.
            const std::uint32_t l = slot_list(0, cur_);
            if (Policy::sort_ties && lists_[l].disordered) sort_by_seq(l);
            return take(l, seq_limit, out);
        }
    }

    std::uint64_t next_seq() const { return next_seq_; }
    std::size_t size() const { return size_; }

    // The due list's head is exact; otherwise the earliest event: a level-0
    // slot's deadline (exact), a cascade's start (<= its timers' deadlines),
    // overflow_min_ (<= the overflow deadlines). After pop_due(now) returned
    // false with nothing due, every event is later than now, so is this.
    std::optional<std::uint64_t> next_deadline() const {
        if (size_ == 0) return std::nullopt;
        if (lists_[due_list].head != timer_detail::no_node) return nodes_[lists_[due_list].head].deadline;
        return std::min(next_event(false), overflow_min_);  // overflow_min_ is no_time when that list is empty
    }

private:
    static constexpr std::uint64_t no_time = ~std::uint64_t{0};
    static constexpr std::uint32_t overflow_list = levels * slots;
    static constexpr std::uint32_t due_list = overflow_list + 1;

    struct node {
        std::uint64_t deadline = 0;
        std::uint64_t seq = timer_detail::no_seq;
        task t;
        std::uint32_t prev = timer_detail::no_node, next = timer_detail::no_node;
        std::uint32_t list = 0;  // which of lists_ holds it
        std::uint32_t next_free = timer_detail::no_node;
    };
    struct list {
        std::uint32_t head = timer_detail::no_node, tail = timer_detail::no_node;
        bool disordered = false;  // an append put a smaller sequence after a larger one
    };
    static constexpr std::uint32_t slot_list(unsigned level, std::uint64_t deadline) {
        return static_cast<std::uint32_t>(level * slots + ((deadline >> (slot_bits * level)) & (slots - 1)));
    }

    // Files node n by its distance from cur_ (the table above the class).
    void file(std::uint32_t n) {
        const std::uint64_t d = nodes_[n].deadline;
        if (d < cur_) {
            insert_due(n);
            return;
        }
        const std::uint64_t distance = d - cur_;
        if (distance >= span) {
            append(overflow_list, n);
            overflow_min_ = std::min(overflow_min_, d);
            return;
        }
        const unsigned level = distance < slots ? 0 : (static_cast<unsigned>(std::bit_width(distance)) - 1) / slot_bits;
        const std::uint32_t l = slot_list(level, d);
        append(l, n);
        occupied_[level] |= std::uint64_t{1} << (l % slots);
    }

    void append(std::uint32_t l, std::uint32_t n) {
        list& s = lists_[l];
        node& x = nodes_[n];
        x.list = l;
        x.next = timer_detail::no_node;
        x.prev = s.tail;
        if (s.tail == timer_detail::no_node) {
            s.head = n;
        } else {
            if (nodes_[s.tail].seq > x.seq) s.disordered = true;
            nodes_[s.tail].next = n;
        }
        s.tail = n;
    }

    // The due list stays sorted by (deadline, seq): the new node has the
    // largest sequence, so it goes after every deadline <= its own.
    void insert_due(std::uint32_t n) {
        list& s = lists_[due_list];
        std::uint32_t after = s.tail;
        while (after != timer_detail::no_node && nodes_[after].deadline > nodes_[n].deadline)
            after = nodes_[after].prev;
        node& x = nodes_[n];
        x.list = due_list;
        x.prev = after;
        x.next = after == timer_detail::no_node ? s.head : nodes_[after].next;
        (after == timer_detail::no_node ? s.head : nodes_[after].next) = n;
        (x.next == timer_detail::no_node ? s.tail : nodes_[x.next].prev) = n;
    }

    void unlink(std::uint32_t n) {
        node& x = nodes_[n];
        list& s = lists_[x.list];
        (x.prev == timer_detail::no_node ? s.head : nodes_[x.prev].next) = x.next;
        (x.next == timer_detail::no_node ? s.tail : nodes_[x.next].prev) = x.prev;
        if (s.head == timer_detail::no_node) emptied(x.list);
    }

    void emptied(std::uint32_t l) {
        lists_[l].disordered = false;
        if (l < overflow_list)
            occupied_[l / slots] &= ~(std::uint64_t{1} << (l % slots));
        else if (l == overflow_list)
            overflow_min_ = no_time;
    }

    // Pops list l's head if its sequence is below the limit.
    bool take(std::uint32_t l, std::uint64_t seq_limit, task& out) {
        const std::uint32_t h = lists_[l].head;
        if (nodes_[h].seq >= seq_limit) return false;
        out = nodes_[h].t;
        unlink(h);
        nodes_.release(h);
        --size_;
        return true;
    }

    // On arrival at cur_: cascades each level's slot whose block starts at
    // cur_, lowest level first, then rescans the overflow list if its time
    // is cur_; whether anything was due. (The slot of the index of cur_'s
    // block holds that block: cur_ came here from before it, and (Il) leaves
    // one block per index.)
    bool cascade_at_cur() {
        bool any = false;
        for (unsigned level = 1; level < levels; ++level) {
            const std::uint64_t block_mask = (std::uint64_t{1} << (slot_bits * level)) - 1;
            if ((cur_ & block_mask) != 0) break;  // no block of this level, nor of a higher one, starts here
            const std::uint32_t l = slot_list(level, cur_);
            if (((occupied_[level] >> (l % slots)) & 1) == 0) continue;
            cascade(l);
            any = true;
        }
        if (lists_[overflow_list].head != timer_detail::no_node && overflow_min_ - span + 1 == cur_) {
            cascade(overflow_list);
            any = true;
        }
        return any;
    }

    // Refiles every timer of list l from cur_, in list order.
    void cascade(std::uint32_t l) {
        std::uint32_t n = lists_[l].head;
        lists_[l] = list{};
        emptied(l);
        while (n != timer_detail::no_node) {
            const std::uint32_t next = nodes_[n].next;
            file(n);
            n = next;
        }
    }

    void sort_by_seq(std::uint32_t l) {
        scratch_.clear();
        for (std::uint32_t n = lists_[l].head; n != timer_detail::no_node; n = nodes_[n].next) scratch_.push_back(n);
        std::sort(scratch_.begin(), scratch_.end(),
                  [this](std::uint32_t a, std::uint32_t b) { return nodes_[a].seq < nodes_[b].seq; });
        lists_[l] = list{};
        for (const std::uint32_t n : scratch_) append(l, n);
    }

    // The earliest event at or after cur_, no_time if none: the next
    // occupied level-0 slot, each level's next occupied block start, and
    // the overflow rescan (when asked for).
    std::uint64_t next_event(bool with_overflow) const {
        std::uint64_t best = no_time;
        if (occupied_[0] != 0)
            best = cur_ + static_cast<unsigned>(std::countr_zero(std::rotr(occupied_[0], static_cast<int>(cur_ % slots))));
        for (unsigned level = 1; level < levels; ++level) {
            if (occupied_[level] == 0) continue;
            // (Il): the next occupied block after C_l, at most 64 blocks on.
            const std::uint64_t c = cur_ >> (slot_bits * level);
            const auto ahead = static_cast<unsigned>(
                std::countr_zero(std::rotr(occupied_[level], static_cast<int>((c + 1) % slots))));
            best = std::min(best, (c + 1 + ahead) << (slot_bits * level));
        }
        if (with_overflow && lists_[overflow_list].head != timer_detail::no_node)
            best = std::min(best, overflow_min_ - span + 1);  // (Iv): > cur_
        return best;
    }

    std::array<list, levels * slots + 2> lists_{};
    std::array<std::uint64_t, levels> occupied_{};  // bit s of word l: level l's slot s is not empty
    timer_detail::node_pool<node> nodes_;
    std::vector<std::uint32_t> scratch_;
    std::uint64_t cur_ = 0;
    std::uint64_t overflow_min_ = no_time;
    std::uint64_t next_seq_ = 0;
    std::size_t size_ = 0;
};

static_assert(timer_queue<timer_heap<>>);
static_assert(timer_queue<timer_wheel<>>);

}  // namespace gauntlet
