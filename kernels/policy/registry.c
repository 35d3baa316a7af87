/* SPDX-License-Identifier: MIT */
/*
 * kernels/policy/registry.c - the one table of eviction strategies, and the
 * helpers built on it: lookup by name, whole-trace replay, next-use
 * computation for OPT, and `pagebench list policies`.
 */
#include "polint.h"

const struct pb_policy_desc *const pb_policies[] = {
    &pb_pol_opt,      &pb_pol_fifo,    &pb_pol_random,	&pb_pol_lru,	&pb_pol_clock, &pb_pol_nru,
    &pb_pol_aging,    &pb_pol_wsclock, &pb_pol_lfu,	&pb_pol_2q,	&pb_pol_arc,   &pb_pol_car,
    &pb_pol_clockpro, &pb_pol_lirs,    &pb_pol_twolist, &pb_pol_s3fifo, &pb_pol_sieve, NULL,
};

const struct pb_policy_desc *pb_policy_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; pb_policies[i]; i++)
		if (!strcmp(pb_policies[i]->name, name))
			return pb_policies[i];
	return NULL;
}

int pb_policy_replay(const struct pb_policy_desc *d, const struct pb_policy_cfg *cfg,
		     const uint64_t *keys, const uint8_t *writes, const uint64_t *next_use,
		     size_t n, uint64_t *misses, char *err, size_t errlen)
{
	uint64_t *own = NULL;
	struct pb_policy *p;
	int rc;
	if (!d || !cfg || (!keys && n) || !misses)
		return -EINVAL;
	if ((d->flags & PB_POL_OFFLINE) && !next_use) {
		own = pb_map((n ? n : 1) * sizeof(uint64_t), 0);
		if (!own) {
			snprintf(err, errlen, "%s: out of memory for next-use", d->name);
			return -ENOMEM;
		}
		rc = pb_next_use(keys, n, own);
		if (rc) {
			snprintf(err, errlen, "%s: cannot compute next-use (%d)", d->name, rc);
			pb_unmap(own, (n ? n : 1) * sizeof(uint64_t));
			return rc;
		}
		next_use = own;
	}
	rc = d->create(cfg, &p, err, errlen);
	if (!rc) {
		*misses = pb_policy_run(d, p, keys, writes, next_use, n, 0, NULL);
		d->destroy(p);
	}
	if (own)
		pb_unmap(own, (n ? n : 1) * sizeof(uint64_t));
	return rc;
}

void pb_list_policies(FILE *f, int verbose)
{
	fprintf(f, "%-9s %-8s %-52s %s\n", "policy", "kind", "title", "paper");
	for (size_t i = 0; pb_policies[i]; i++) {
		const struct pb_policy_desc *d = pb_policies[i];
		const char *kind = (d->flags & PB_POL_OFFLINE) ? "offline"
				   : (d->flags & PB_POL_HW)    ? "hw"
							       : "oracle";
		fprintf(f, "%-9s %-8s %-52s %s\n", d->name, kind, d->title, d->paper);
		/* the parameter rows under -v only, as for the kernels: the
		 * plain list stays one line a policy */
		for (const struct pb_param *t = d->params; verbose && t && t->key; t++)
			fprintf(f, "%-9s %-8s   %s:%s=%s  %s\n", "", "", d->name, t->key, t->def,
				t->help);
	}
}
