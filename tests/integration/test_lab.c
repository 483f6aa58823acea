/* SPDX-License-Identifier: BSD-2-Clause */
/* placeholder */
#include "test_helpers.h"
int main(void)
{
	return 0;
}
