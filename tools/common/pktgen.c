/* SPDX-License-Identifier: BSD-2-Clause */
/* Packet templates and generator engines (placeholder: being implemented). */
#include "pktgen.h"
