/* SPDX-License-Identifier: BSD-2-Clause */
/* xskb-gen (placeholder: being implemented). */
int main(void)
{
	return 2;
}
