// SPDX-License-Identifier: BSD-2-Clause
// The public headers from C++: they compile, link and behave.
#include <cstdio>
#include <xskb/napi.h>
#include <xskb/replay.h>
#include <xskb/etherdevice.h>

int main()
{
	struct sk_buff *skb = alloc_skb(100, GFP_KERNEL);

	if (!skb || skb_tailroom(skb) < 100)
		return 1;
	skb_put(skb, 60);
	kfree_skb(skb);
	std::puts("c++ consumer: ok");
	return 0;
}
