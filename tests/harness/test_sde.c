/* SPDX-License-Identifier: MIT */
/*
 * The engine's own counts are published as PAPI software-defined events:
 * register a counter through pb_sde_register, then read it back through
 * PAPI by name, as a PAPI tool would.
 */
#include <string.h>

#include "pagebench/config.h"
#include "pagebench/counters.h"
#include "pbtest.h"

#if PB_HAVE_SDE
#include <papi.h>
#endif

int main(void)
{
#if !PB_HAVE_SDE
	PB_SKIP("built without PAPI/libsde");
#else
	static long long faults;
	pb_sde_register("test_faults", "faults counted by the test", &faults);
	PB_CHECK(PAPI_library_init(PAPI_VER_CURRENT) == PAPI_VER_CURRENT);
	int es = PAPI_NULL;
	PB_CHECK(PAPI_create_eventset(&es) == PAPI_OK);
	int rc = PAPI_add_named_event(es, "sde:::pagebench::test_faults");
	if (rc != PAPI_OK)
		PB_SKIP("PAPI's sde component cannot add the event here");
	PB_CHECK(PAPI_start(es) == PAPI_OK);
	faults += 1234;
	long long v = 0;
	PB_CHECK(PAPI_stop(es, &v) == PAPI_OK);
	PB_CHECK_EQ_U64((unsigned long long)v, 1234);
	return pb_test_done();
#endif
}
