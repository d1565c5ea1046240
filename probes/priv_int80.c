/* priv.int80 NAME: see priv_abi.h. */
#include "priv_abi.h"

int main(int argc, char **argv)
{
	abi_main("priv.int80", ABI_INT80, argc, argv);
}
