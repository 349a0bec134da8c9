/* Producer/consumer rings across harts.
 *
 * Phase 1, single producer / single consumer: harts pair up (2k produces,
 * 2k+1 consumes; an odd last hart sits out), each pair with its own ring of
 * RING_SLOTS slots, free-running head/tail indices, and no lock: the producer
 * writes the slot then publishes head (release), the consumer reads head
 * (acquire), the slot, then publishes tail. SPSC_TOTAL_ITEMS / pairs
 * pseudo-random values go through each ring; the consumer checks each against
 * the sequence and both sides keep a checksum that must agree.
 * Phase 2, multiple producers: harts 1..n-1 push (producer << 32 | seq) into
 * one ring under an amoswap spinlock, hart 0 consumes. Each producer's items
 * must come out in order, none lost or duplicated, with matching checksums. */
#include "smp.h"

/* Small enough that the rings fill and wrap many times, large enough that a
 * producer and a consumer that are not running at the same time (more harts
 * than host cores) do not hand over every few items. */
#define RING_SLOTS 256
/* Totals over all pairs / producers: the same work at every -smp. */
#define SPSC_TOTAL_ITEMS 6000
#define MPSC_TOTAL_ITEMS 2400

struct ring {
  volatile uint32_t head; /* written by producers */
  volatile uint32_t tail; /* written by the consumer */
  volatile uint64_t slot[RING_SLOTS];
};

static struct ring pair_ring[SMP_MAX_HARTS / 2];
static volatile uint64_t produced_sum[SMP_MAX_HARTS / 2], consumed_sum[SMP_MAX_HARTS / 2];
static volatile uint32_t consumed[SMP_MAX_HARTS / 2], mismatches[SMP_MAX_HARTS / 2];

static struct ring mp_ring;
static volatile uint32_t mp_lock;
static volatile uint64_t mp_produced_sum[SMP_MAX_HARTS];
static uint64_t mp_consumed_sum[SMP_MAX_HARTS];
static uint32_t mp_count[SMP_MAX_HARTS], mp_out_of_order, mp_bad_producer;

static uint64_t item_value(unsigned pair, uint32_t i) {
  uint64_t x = ((uint64_t)pair << 40) ^ (i + 1) * 0x9e3779b97f4a7c15UL;
  x ^= x >> 29;
  return x * 0xbf58476d1ce4e5b9UL;
}

/* Order-sensitive checksum: both sides fold the same sequence. */
static uint64_t fold(uint64_t sum, uint64_t v) { return ((sum << 7) | (sum >> 57)) ^ v; }

static void produce(struct ring *r, uint64_t v) {
  uint32_t head = r->head;
  struct smp_wait w = smp_wait_begin("space in the ring");
  while (head - r->tail >= RING_SLOTS) smp_wait_step(&w);
  SMP_FENCE(r, w); /* the slot is free before we overwrite it */
  r->slot[head % RING_SLOTS] = v;
  store_release32(&r->head, head + 1);
}

static uint64_t consume(struct ring *r) {
  uint32_t tail = r->tail;
  struct smp_wait w = smp_wait_begin("items in the ring");
  while (load_acquire32(&r->head) == tail) smp_wait_step(&w);
  uint64_t v = r->slot[tail % RING_SLOTS];
  store_release32(&r->tail, tail + 1);
  return v;
}

static uint32_t spsc_items(unsigned nharts) { return SPSC_TOTAL_ITEMS / (nharts / 2); }
static uint32_t mpsc_items(unsigned nharts) { return MPSC_TOTAL_ITEMS / (nharts - 1); }

static void single_producer(unsigned hart, unsigned nharts) {
  unsigned pair = hart / 2;
  if (pair >= nharts / 2) return;
  uint32_t items = spsc_items(nharts);
  struct ring *r = &pair_ring[pair];
  uint64_t sum = 0;
  if (hart % 2 == 0) {
    for (uint32_t i = 0; i < items; i++) {
      uint64_t v = item_value(pair, i);
      produce(r, v);
      sum = fold(sum, v);
    }
    produced_sum[pair] = sum;
  } else {
    uint32_t bad = 0;
    for (uint32_t i = 0; i < items; i++) {
      uint64_t v = consume(r);
      if (v != item_value(pair, i)) bad++;
      sum = fold(sum, v);
    }
    consumed_sum[pair] = sum;
    consumed[pair] = items;
    mismatches[pair] = bad;
  }
}

static void mp_produce(unsigned hart, unsigned nharts) {
  uint64_t sum = 0;
  for (uint32_t seq = 0; seq < mpsc_items(nharts); seq++) {
    uint64_t v = ((uint64_t)hart << 32) | seq;
    struct smp_wait w = smp_wait_begin("space in the multi-producer ring");
    for (;;) {
      amoswap_lock(&mp_lock);
      if (mp_ring.head - mp_ring.tail < RING_SLOTS) break;
      amoswap_unlock(&mp_lock); /* full: let the others in while the consumer drains */
      smp_wait_step(&w);
    }
    uint32_t head = mp_ring.head;
    mp_ring.slot[head % RING_SLOTS] = v;
    store_release32(&mp_ring.head, head + 1);
    amoswap_unlock(&mp_lock);
    sum += v * 0x100000001b3UL;
  }
  mp_produced_sum[hart] = sum;
}

static void mp_consume(unsigned nharts) {
  uint32_t total = (nharts - 1) * mpsc_items(nharts);
  for (uint32_t i = 0; i < total; i++) {
    uint64_t v = consume(&mp_ring);
    unsigned producer = (unsigned)(v >> 32);
    uint32_t seq = (uint32_t)v;
    if (producer == 0 || producer >= nharts) {
      mp_bad_producer++;
      continue;
    }
    if (seq != mp_count[producer]) mp_out_of_order++;
    mp_count[producer]++;
    mp_consumed_sum[producer] += v * 0x100000001b3UL;
  }
}

static void run(unsigned hart, unsigned nharts) {
  single_producer(hart, nharts);
  smp_barrier();
  if (hart == 0) mp_consume(nharts);
  else mp_produce(hart, nharts);
}

static void check(unsigned nharts) {
  uint32_t items = spsc_items(nharts);
  for (unsigned p = 0; p < nharts / 2; p++) {
    CHECK_EQ(consumed[p], items, "SPSC %u -> %u items consumed", 2 * p, 2 * p + 1);
    CHECK_EQ(mismatches[p], 0, "SPSC %u -> %u items differing from the sequence", 2 * p, 2 * p + 1);
    CHECK_EQ(consumed_sum[p], produced_sum[p], "SPSC %u -> %u checksum", 2 * p, 2 * p + 1);
    CHECK_EQ(pair_ring[p].head, items, "SPSC %u -> %u head", 2 * p, 2 * p + 1);
    CHECK_EQ(pair_ring[p].tail, items, "SPSC %u -> %u tail", 2 * p, 2 * p + 1);
  }
  CHECK_EQ(mp_bad_producer, 0, "MPSC items with an impossible producer id");
  CHECK_EQ(mp_out_of_order, 0, "MPSC items out of per-producer order");
  CHECK_EQ(mp_ring.head, (nharts - 1) * mpsc_items(nharts), "MPSC items pushed");
  for (unsigned h = 1; h < nharts; h++) {
    CHECK_EQ(mp_count[h], mpsc_items(nharts), "MPSC items from hart %u", h);
    CHECK_EQ(mp_consumed_sum[h], mp_produced_sum[h], "MPSC checksum of hart %u", h);
  }
}

SMP_TEST("ring", run, check);
