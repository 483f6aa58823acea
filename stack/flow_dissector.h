/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The receive path's optional header parse: network and transport header
 * offsets for VLAN, IPv4 and IPv6 packets, as the kernel's flow dissector.
 */
#ifndef XSKB_FLOW_DISSECTOR_H
#define XSKB_FLOW_DISSECTOR_H

#include <stdbool.h>
#include <xskb/skbuff.h>

/**
 * xskb_rx_parse_headers - set an skb's network and transport headers
 * @skb: a received packet: skb->data at the Ethernet payload (after
 *       eth_type_trans()), skb->protocol the Ethernet type; linear or not
 *
 * Skips one or two 802.1Q/802.1AD tags and sets the network header after
 * them (at skb->data when untagged). For IPv4 (options included) and IPv6
 * (walking hop-by-hop, routing, destination options, fragment and AH
 * headers) it sets the transport header at the upper-layer header: TCP, UDP,
 * ICMP, ICMPv6 and any other protocol; for a fragment that is not the first,
 * at the fragment's data (as the kernel's ip_rcv/ipv6 fragment code leave
 * it); for IPv6 with no next header (59), at the end of the headers.
 *
 * Reads through skb_header_pointer(): never past skb->len, never beyond the
 * IP packet's own length, trusting no length field it has not checked. Never
 * changes the packet's bytes, skb->data, skb->len or skb->protocol.
 *
 * Returns true when the headers parsed, also for an Ethernet type it does
 * not know (the network header is then set after the tags and the transport
 * header left as it was); false when a header is truncated or invalid (a
 * bad IP version or header length, an IP length beyond the frame, a TCP or
 * UDP header cut short, more than two VLAN tags or 16 IPv6 extension
 * headers): the skb is then left exactly as it was. Thread-safe; no
 * allocation.
 */
bool xskb_rx_parse_headers(struct sk_buff *skb);

#endif /* XSKB_FLOW_DISSECTOR_H */
