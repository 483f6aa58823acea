/* SPDX-License-Identifier: BSD-2-Clause */
/* xskb-lab (placeholder: being implemented). */
int main(void)
{
	return 2;
}
