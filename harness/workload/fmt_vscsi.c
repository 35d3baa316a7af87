/* SPDX-License-Identifier: MIT */
/*
 * harness/workload/fmt_vscsi.c - CloudPhysics/VMware vscsi traces, v1
 * (32 B: {u32 sn, len, nSG; u16 cmd, ver; u64 lbn, ts}) and v2 (40 B:
 * {u16 cmd, ver; u32 sn, len, nSG; u64 lbn, ts, rt}), told apart by the
 * version field of the first record.  SCSI WRITE(6/10/12/16) are writes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "wl_reader.h"

static int vscsi_open(struct wl_trace *t)
{
	uint16_t v1 = 0, v2 = 0;
	if (t->len >= 16)
		memcpy(&v1, t->buf + 14, 2);
	if (t->len >= 4)
		memcpy(&v2, t->buf + 2, 2);
	if ((v1 >> 8) == 1) {
		t->recsz = 32;
	} else if ((v2 >> 8) == 2) {
		t->recsz = 40;
	} else if (t->len) {
		snprintf(t->err, WL_ERRLEN, "%s: %s 0: not a vscsi v1/v2 trace (version field)",
			 t->name, wl_in_byte_word(&t->in));
		return -EINVAL;
	} else {
		t->recsz = 32;
	}
	return 0;
}

static int vscsi_records(struct wl_trace *t, const char *p, size_t avail, struct pb_access *o,
			 size_t k)
{
	(void)k;
	size_t rs = t->recsz;
	for (size_t i = 0; i < avail; i++) {
		const char *rp = p + rs * i;
		uint16_t cmd, ver;
		uint64_t lbn;
		memcpy(&cmd, rp + (rs == 32 ? 12 : 0), 2);
		memcpy(&ver, rp + (rs == 32 ? 14 : 2), 2);
		memcpy(&lbn, rp + 16, 8);
		if ((ver >> 8) != (rs == 32 ? 1 : 2)) {
			t->pos += i * rs;
			return wl_terr(t, "vscsi record with version %u in a v%d trace", ver >> 8,
				       rs == 32 ? 1 : 2);
		}
		if (lbn > (UINT64_MAX >> t->shift)) {
			t->pos += i * rs;
			return wl_terr(t, "block number %llu overflows a 64-bit address",
				       (unsigned long long)lbn);
		}
		o[i] = t->rec;
		o[i].addr = lbn << t->shift;
		/* SCSI WRITE(6/10/12/16) */
		o[i].op = cmd == 0x0a || cmd == 0x2a || cmd == 0xaa || cmd == 0x8a ? PB_OP_WRITE
										   : PB_OP_READ;
	}
	return 0;
}

const struct wl_format wl_format_vscsi = {
    .name = "vscsi",
    .summary = "CloudPhysics/VMware vscsi v1 (32 B) and v2 (40 B) records",
    .kind = WL_KIND_BINARY,
    .suffix = ".vscsi",
    .open = vscsi_open,
    .records = vscsi_records,
};
