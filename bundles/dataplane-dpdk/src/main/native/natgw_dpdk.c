/*
 * natgw's shim over DPDK 22.11: the calls that are static inline in DPDK's headers (so have no
 * symbol to bind from Java), made burst-sized so Java pays one downcall per burst; port setup
 * with the structures DPDK's headers define; the mbuf layout as the installed headers lay it out;
 * and the C baseline loops the benchmarks compare the Java worker against.
 *
 * Every function returns 0 or a positive count on success and a negative errno on failure.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>
#include <rte_tcp.h>
#include <rte_udp.h>

/* Layout of struct rte_mbuf and friends, read from the installed headers. */
enum {
    L_MBUF_SIZE,
    L_BUF_ADDR,
    L_DATA_OFF,
    L_PORT,
    L_NB_SEGS,
    L_PKT_LEN,
    L_DATA_LEN,
    L_BUF_LEN,
    L_OL_FLAGS,
    L_HASH_RSS,
    L_HEADROOM,
    L_COUNT
};

int natgw_layout(int64_t *out, int n)
{
    if (n < L_COUNT)
        return -EINVAL;
    out[L_MBUF_SIZE] = sizeof(struct rte_mbuf);
    out[L_BUF_ADDR] = offsetof(struct rte_mbuf, buf_addr);
    out[L_DATA_OFF] = offsetof(struct rte_mbuf, data_off);
    out[L_PORT] = offsetof(struct rte_mbuf, port);
    out[L_NB_SEGS] = offsetof(struct rte_mbuf, nb_segs);
    out[L_PKT_LEN] = offsetof(struct rte_mbuf, pkt_len);
    out[L_DATA_LEN] = offsetof(struct rte_mbuf, data_len);
    out[L_BUF_LEN] = offsetof(struct rte_mbuf, buf_len);
    out[L_OL_FLAGS] = offsetof(struct rte_mbuf, ol_flags);
    out[L_HASH_RSS] = offsetof(struct rte_mbuf, hash.rss);
    out[L_HEADROOM] = RTE_PKTMBUF_HEADROOM;
    return L_COUNT;
}

int natgw_errno(void)
{
    return rte_errno;
}

uint16_t natgw_rx_burst(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n)
{
    return rte_eth_rx_burst(port, queue, pkts, n);
}

uint16_t natgw_tx_burst(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n)
{
    return rte_eth_tx_burst(port, queue, pkts, n);
}

/*
 * Cuts one IPv4 packet into fragments of at most mtu IP bytes (RFC 791 3.2) in fresh mbufs from its own pool:
 * the Ethernet header (and one VLAN tag) and the IPv4 header copied to each, offsets and MF set, header checksums
 * computed. The packet may itself be a fragment. Returns the number of fragments written to out, -1 if the packet
 * must not or cannot be cut (DF set, IP options, not IPv4, more than max fragments, a fragment bigger than an
 * mbuf), -2 if the pool has no mbufs left. Leaves the packet itself alone.
 */
static int fragment_ipv4(struct rte_mbuf *m, uint16_t mtu, struct rte_mbuf **out, int max)
{
    uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
    uint32_t len = rte_pktmbuf_data_len(m);
    uint32_t l2 = RTE_ETHER_HDR_LEN;
    if (len < l2 + sizeof(struct rte_ipv4_hdr))
        return -1;
    uint16_t type = (uint16_t)(frame[12] << 8 | frame[13]);
    if (type == RTE_ETHER_TYPE_VLAN) {
        l2 += 4;
        type = (uint16_t)(frame[16] << 8 | frame[17]);
    }
    if (type != RTE_ETHER_TYPE_IPV4 || len < l2 + sizeof(struct rte_ipv4_hdr))
        return -1;
    struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(frame + l2);
    uint32_t ihl = (ip->version_ihl & 0x0f) * 4u;
    uint32_t total = rte_be_to_cpu_16(ip->total_length);
    uint16_t flags = rte_be_to_cpu_16(ip->fragment_offset);
    /* options would need their copy flags read to know which go into later fragments: not cut here */
    if (ihl != sizeof(struct rte_ipv4_hdr) || total < ihl || l2 + total > len || (flags & RTE_IPV4_HDR_DF_FLAG))
        return -1;
    if (mtu < ihl + 8)
        return -1;
    uint32_t chunk = ((mtu - ihl) / 8) * 8;
    uint32_t payload = total - ihl;
    uint32_t base = (uint32_t)(flags & RTE_IPV4_HDR_OFFSET_MASK) * 8;
    int more = (flags & RTE_IPV4_HDR_MF_FLAG) != 0;
    int n = (int)((payload + chunk - 1) / chunk);
    if (n > max || l2 + ihl + chunk > (uint32_t)(rte_pktmbuf_data_room_size(m->pool) - RTE_PKTMBUF_HEADROOM))
        return -1;
    if (rte_pktmbuf_alloc_bulk(m->pool, out, (unsigned int)n) != 0)
        return -2;
    for (int k = 0; k < n; k++) {
        uint32_t off = (uint32_t)k * chunk;
        uint32_t piece = payload - off < chunk ? payload - off : chunk;
        uint8_t *d = (uint8_t *)rte_pktmbuf_append(out[k], (uint16_t)(l2 + ihl + piece));
        memcpy(d, frame, l2 + ihl);
        memcpy(d + l2 + ihl, frame + l2 + ihl + off, piece);
        struct rte_ipv4_hdr *fip = (struct rte_ipv4_hdr *)(d + l2);
        uint16_t f = (uint16_t)((base + off) / 8);
        if (k < n - 1 || more)
            f |= RTE_IPV4_HDR_MF_FLAG;
        fip->total_length = rte_cpu_to_be_16((uint16_t)(ihl + piece));
        fip->fragment_offset = rte_cpu_to_be_16(f);
        fip->hdr_checksum = 0;
        fip->hdr_checksum = rte_ipv4_cksum(fip);
    }
    return n;
}

static uint16_t send_all(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n, int64_t *out)
{
    uint16_t sent = rte_eth_tx_burst(port, queue, pkts, n);
    if (sent < n) {
        out[2] += n - sent;
        rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
    }
    return sent;
}

/*
 * Sends a burst as natgw_tx_burst does, first cutting every IPv4 packet of more than mtu IP bytes into fragments
 * (the kernel hands net_af_packet reassembled datagrams bigger than the link's MTU). Frees every mbuf the device
 * does not take, and every packet it cannot cut. out[0] += packets cut, out[1] += fragments made, out[2] += mbufs
 * the device refused, out[3] += packets dropped because they could not be cut (DF set, IP options, no mbufs).
 * Returns the mbufs sent.
 */
int natgw_tx_burst_frag(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n, uint16_t mtu,
                        int64_t *out)
{
    struct rte_mbuf *batch[64];
    struct rte_mbuf *frags[64];
    uint16_t count = 0;
    int sent = 0;
    for (uint16_t i = 0; i < n; i++) {
        struct rte_mbuf *m = pkts[i];
        uint32_t len = rte_pktmbuf_data_len(m);
        if (m->nb_segs != 1 || len <= (uint32_t)mtu + RTE_ETHER_HDR_LEN) {
            if (count == 64) {
                sent += send_all(port, queue, batch, count, out);
                count = 0;
            }
            batch[count++] = m;
            continue;
        }
        int k = fragment_ipv4(m, mtu, frags, 64);
        rte_pktmbuf_free(m);
        if (k < 0) {
            out[3]++;
            continue;
        }
        out[0]++;
        out[1] += k;
        for (int j = 0; j < k; j++) {
            if (count == 64) {
                sent += send_all(port, queue, batch, count, out);
                count = 0;
            }
            batch[count++] = frags[j];
        }
    }
    if (count > 0)
        sent += send_all(port, queue, batch, count, out);
    return sent;
}

int natgw_alloc_bulk(struct rte_mempool *pool, struct rte_mbuf **pkts, unsigned int n)
{
    return rte_pktmbuf_alloc_bulk(pool, pkts, n);
}

void natgw_free_bulk(struct rte_mbuf **pkts, unsigned int n)
{
    rte_pktmbuf_free_bulk(pkts, n);
}

/*
 * Device facts: out[0] max rx queues, [1] max tx queues, [2] RSS offload flags (0: no RSS),
 * [3] RETA size, [4] hash key size, [5] min MTU, [6] max MTU.
 */
int natgw_port_info(uint16_t port, int64_t *out)
{
    struct rte_eth_dev_info info;
    int rc = rte_eth_dev_info_get(port, &info);
    if (rc != 0)
        return rc;
    out[0] = info.max_rx_queues;
    out[1] = info.max_tx_queues;
    out[2] = (int64_t)info.flow_type_rss_offloads;
    out[3] = info.reta_size;
    out[4] = info.hash_key_size;
    out[5] = info.min_mtu;
    out[6] = info.max_mtu;
    return 0;
}

/*
 * Configures and starts a port: rxq receive and txq transmit queues of desc descriptors, buffers
 * from pool, the MTU, and, when rxq > 1 and the device can, RSS with the given Toeplitz key over
 * IPv4 TCP/UDP/other with the given redirection table (reta_n entries, repeated to the device's
 * size). Returns 1 if RSS was programmed, 0 if not, a negative errno on failure.
 */
int natgw_port_start(uint16_t port, uint16_t rxq, uint16_t txq, uint16_t desc, struct rte_mempool *pool,
                     uint16_t mtu, const uint8_t *key, uint8_t key_len, const int32_t *reta, int reta_n,
                     int promiscuous)
{
    struct rte_eth_dev_info info;
    struct rte_eth_conf conf;
    int rss = 0;
    int rc = rte_eth_dev_info_get(port, &info);
    if (rc != 0)
        return rc;
    memset(&conf, 0, sizeof(conf));
    uint64_t hf = (RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_NONFRAG_IPV4_UDP |
                   RTE_ETH_RSS_NONFRAG_IPV4_OTHER) & info.flow_type_rss_offloads;
    if (rxq > 1 && hf != 0) {
        conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
        conf.rx_adv_conf.rss_conf.rss_key = (uint8_t *)key;
        conf.rx_adv_conf.rss_conf.rss_key_len = key_len;
        conf.rx_adv_conf.rss_conf.rss_hf = hf;
        rss = 1;
    }
    rc = rte_eth_dev_configure(port, rxq, txq, &conf);
    if (rc != 0)
        return rc;
    if (mtu != 0 && mtu >= info.min_mtu && mtu <= info.max_mtu) {
        rc = rte_eth_dev_set_mtu(port, mtu);
        if (rc != 0 && rc != -ENOTSUP)
            return rc;
    }
    uint16_t nrx = desc, ntx = desc;
    rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nrx, &ntx);
    if (rc != 0 && rc != -ENOTSUP)
        return rc;
    int socket = rte_eth_dev_socket_id(port);
    if (socket < 0)
        socket = 0;
    for (uint16_t q = 0; q < rxq; q++) {
        rc = rte_eth_rx_queue_setup(port, q, nrx, socket, NULL, pool);
        if (rc != 0)
            return rc;
    }
    for (uint16_t q = 0; q < txq; q++) {
        rc = rte_eth_tx_queue_setup(port, q, ntx, socket, NULL);
        if (rc != 0)
            return rc;
    }
    rc = rte_eth_dev_start(port);
    if (rc != 0)
        return rc;
    if (rss && info.reta_size > 0 && reta_n > 0) {
        struct rte_eth_rss_reta_entry64 conf64[RTE_ETH_RSS_RETA_SIZE_512 / RTE_ETH_RETA_GROUP_SIZE];
        uint16_t size = info.reta_size > RTE_ETH_RSS_RETA_SIZE_512 ? RTE_ETH_RSS_RETA_SIZE_512 : info.reta_size;
        memset(conf64, 0, sizeof(conf64));
        for (uint16_t i = 0; i < size; i++) {
            conf64[i / RTE_ETH_RETA_GROUP_SIZE].mask |= 1ULL << (i % RTE_ETH_RETA_GROUP_SIZE);
            conf64[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE] = (uint16_t)reta[i % reta_n];
        }
        rc = rte_eth_dev_rss_reta_update(port, conf64, size);
        if (rc != 0 && rc != -ENOTSUP)
            return rc;
    }
    if (promiscuous)
        rte_eth_promiscuous_enable(port);
    return rss;
}

/*
 * Counters: out[0..6] ipackets, ibytes, opackets, obytes, imissed, oerrors, ierrors + rx_nombuf,
 * then per queue q < nq: out[7+5q ..] q_ipackets, q_ibytes, q_opackets, q_obytes, q_errors.
 */
int natgw_port_stats(uint16_t port, int64_t *out, int nq)
{
    struct rte_eth_stats s;
    int rc = rte_eth_stats_get(port, &s);
    if (rc != 0)
        return rc;
    out[0] = s.ipackets;
    out[1] = s.ibytes;
    out[2] = s.opackets;
    out[3] = s.obytes;
    out[4] = s.imissed;
    out[5] = s.oerrors;
    out[6] = s.ierrors + s.rx_nombuf;
    if (nq > RTE_ETHDEV_QUEUE_STAT_CNTRS)
        nq = RTE_ETHDEV_QUEUE_STAT_CNTRS;
    for (int q = 0; q < nq; q++) {
        out[7 + 5 * q] = s.q_ipackets[q];
        out[8 + 5 * q] = s.q_ibytes[q];
        out[9 + 5 * q] = s.q_opackets[q];
        out[10 + 5 * q] = s.q_obytes[q];
        out[11 + 5 * q] = s.q_errors[q];
    }
    return nq;
}

/* Link: out[0] up, out[1] speed in Mb/s. */
int natgw_port_link(uint16_t port, int64_t *out)
{
    struct rte_eth_link link;
    int rc = rte_eth_link_get_nowait(port, &link);
    if (rc != 0)
        return rc;
    out[0] = link.link_status;
    out[1] = link.link_speed;
    return 0;
}

/*
 * Ring ports: a port whose one receive queue reads rx and whose one transmit queue writes tx, so that
 * a test or a benchmark in the same process feeds and drains it burst by burst.
 */
struct rte_ring *natgw_ring_create(const char *name, unsigned int count)
{
    return rte_ring_create(name, count, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
}

int natgw_ring_port(const char *name, struct rte_ring *rx, struct rte_ring *tx)
{
    return rte_eth_from_rings(name, &rx, 1, &tx, 1, SOCKET_ID_ANY);
}

unsigned int natgw_ring_enqueue(struct rte_ring *r, void **objs, unsigned int n)
{
    return rte_ring_enqueue_burst(r, objs, n, NULL);
}

unsigned int natgw_ring_dequeue(struct rte_ring *r, void **objs, unsigned int n)
{
    return rte_ring_dequeue_burst(r, objs, n, NULL);
}

unsigned int natgw_ring_count(const struct rte_ring *r)
{
    return rte_ring_count(r);
}

/* ---- C baselines for the benchmarks: the same work as the Java worker loop, in C. ---- */

static inline uint16_t csum_fold_update(uint16_t csum, uint32_t old32, uint32_t new32)
{
    /* RFC 1624: HC' = ~(~HC + ~m + m') over 16-bit words. */
    uint32_t sum = (uint16_t)~csum;
    sum += (uint16_t)~(old32 >> 16) + (uint16_t)~(old32 & 0xffff);
    sum += (new32 >> 16) + (new32 & 0xffff);
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static inline uint16_t csum_update16(uint16_t csum, uint16_t old16, uint16_t new16)
{
    uint32_t sum = (uint16_t)~csum;
    sum += (uint16_t)~old16;
    sum += new16;
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* One burst of the C baseline's work: Ethernet addresses always; in mode 1 also the NAPT rewrite. */
static void bench_work(struct rte_mbuf **pkts, uint16_t n, int mode, uint32_t new_src_be, const uint8_t *tmpl,
                       uint16_t tmpl_len)
{
    const struct rte_ether_addr src_mac = {{0x02, 0, 0, 0, 0, 1}};
    const struct rte_ether_addr dst_mac = {{0x02, 0, 0, 0, 0, 2}};
    for (uint16_t i = 0; i < n; i++) {
        struct rte_ether_hdr *eth = rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);
        if (tmpl != NULL) {
            memcpy(eth, tmpl, tmpl_len);
            pkts[i]->data_len = tmpl_len;
            pkts[i]->pkt_len = tmpl_len;
        }
        eth->src_addr = src_mac;
        eth->dst_addr = dst_mac;
        if (eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
            continue;
        /* both modes forward at L3: TTL down by one, header checksum updated */
        struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
        uint16_t old_ttl_word, new_ttl_word;
        memcpy(&old_ttl_word, &ip->time_to_live, 2);
        ip->time_to_live--;
        memcpy(&new_ttl_word, &ip->time_to_live, 2);
        uint16_t c = rte_be_to_cpu_16(ip->hdr_checksum);
        c = csum_update16(c, rte_be_to_cpu_16(old_ttl_word), rte_be_to_cpu_16(new_ttl_word));
        if (mode != 1) {
            ip->hdr_checksum = rte_cpu_to_be_16(c);
            continue;
        }
        uint32_t old_src = ip->src_addr;
        c = csum_fold_update(c, rte_be_to_cpu_32(old_src), rte_be_to_cpu_32(new_src_be));
        ip->hdr_checksum = rte_cpu_to_be_16(c);
        ip->src_addr = new_src_be;
        uint8_t *l4 = (uint8_t *)ip + ((ip->version_ihl & 0xf) << 2);
        int csum_at;
        if (ip->next_proto_id == IPPROTO_TCP)
            csum_at = 16;
        else if (ip->next_proto_id == IPPROTO_UDP)
            csum_at = 6;
        else
            continue;
        uint16_t sport_be, csum_be;
        memcpy(&sport_be, l4, 2);
        memcpy(&csum_be, l4 + csum_at, 2);
        uint16_t old_port = rte_be_to_cpu_16(sport_be);
        uint16_t new_port = (uint16_t)(1024 + (old_port & 0x3fff));
        uint16_t l4c = rte_be_to_cpu_16(csum_be);
        l4c = csum_fold_update(l4c, rte_be_to_cpu_32(old_src), rte_be_to_cpu_32(new_src_be));
        l4c = csum_update16(l4c, old_port, new_port);
        csum_be = rte_cpu_to_be_16(l4c);
        sport_be = rte_cpu_to_be_16(new_port);
        memcpy(l4, &sport_be, 2);
        memcpy(l4 + csum_at, &csum_be, 2);
    }
}

/*
 * The C baseline of the worker loop: polls queue 0 of port a and of port b in turn and sends what
 * each gives out of the other, for at most max_packets packets or max_polls polls. mode 0: plain
 * forward at L3 (Ethernet addresses rewritten, TTL decremented, IP checksum updated); mode 1: also a NAPT rewrite of IPv4 TCP/UDP (source
 * address and port replaced, TTL decremented, IP and L4 checksums updated incrementally). With a
 * template (net_null, whose frames carry no content) each received frame first gets a copy of it.
 * out[0] packets received, out[1] transmitted, out[2] polls, out[3] TSC cycles, out[4] TSC Hz.
 */
int64_t natgw_bench_loop(uint16_t port_a, uint16_t port_b, int mode, int64_t max_packets, int64_t max_polls,
                         uint32_t new_src_be, const uint8_t *tmpl, uint16_t tmpl_len, int64_t *out)
{
    struct rte_mbuf *pkts[32];
    int64_t rx = 0, tx = 0, polls = 0;
    uint64_t start = rte_rdtsc();
    while (rx < max_packets && polls < max_polls) {
        uint16_t from = (polls & 1) ? port_b : port_a;
        uint16_t to = (polls & 1) ? port_a : port_b;
        polls++;
        uint16_t n = rte_eth_rx_burst(from, 0, pkts, 32);
        if (n == 0)
            continue;
        rx += n;
        bench_work(pkts, n, mode, new_src_be, tmpl, tmpl_len);
        uint16_t sent = rte_eth_tx_burst(to, 0, pkts, n);
        tx += sent;
        if (sent < n)
            rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
    }
    out[0] = rx;
    out[1] = tx;
    out[2] = polls;
    out[3] = (int64_t)(rte_rdtsc() - start);
    out[4] = (int64_t)rte_get_tsc_hz();
    return tx;
}

/* Fills a burst-sized array of fresh mbufs with copies of one frame, for the benchmarks' generator. */
int natgw_fill(struct rte_mempool *pool, struct rte_mbuf **pkts, unsigned int n, const uint8_t *frame,
               uint16_t len)
{
    int rc = rte_pktmbuf_alloc_bulk(pool, pkts, n);
    if (rc != 0)
        return rc;
    for (unsigned int i = 0; i < n; i++) {
        char *d = rte_pktmbuf_append(pkts[i], len);
        if (d == NULL) {
            rte_pktmbuf_free_bulk(pkts, n);
            return -ENOSPC;
        }
        memcpy(d, frame, len);
    }
    return (int)n;
}
