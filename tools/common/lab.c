/* SPDX-License-Identifier: BSD-2-Clause */
/* The veth lab (placeholder: being implemented). */
#include "lab.h"
