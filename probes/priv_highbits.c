/* priv.highbits NAME: see priv_abi.h. */
#include "priv_abi.h"

int main(int argc, char **argv)
{
	abi_main("priv.highbits", ABI_HIGH, argc, argv);
}
