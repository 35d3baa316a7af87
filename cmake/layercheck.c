/* SPDX-License-Identifier: MIT */
/*
 * cmake/layercheck.c - linked with one layer's library whole (and the
 * layers below it): if any file of that layer calls a function of a higher
 * layer, this program does not link, and the build fails.
 */
int main(void)
{
	return 0;
}
