/* SPDX-License-Identifier: BSD-2-Clause */
/* flow_dissector.c: being written (issue 10). */
#include "util.h"
