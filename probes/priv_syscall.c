/* priv.syscall NAME: see priv_abi.h. */
#include "priv_abi.h"

int main(int argc, char **argv)
{
	abi_main("priv.syscall", ABI_X64, argc, argv);
}
