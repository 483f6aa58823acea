/* SPDX-License-Identifier: BSD-2-Clause */
/* tx.c: being written (issue 10). */
#include "util.h"
