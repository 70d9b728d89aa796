/* bench/attest.c - verifications per second (placeholder). */
int main(void)
{
	return 0;
}
