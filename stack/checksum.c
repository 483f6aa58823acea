/* SPDX-License-Identifier: BSD-2-Clause */
/* checksum.c: being written (issue 10). */
#include "util.h"
