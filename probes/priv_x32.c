/* priv.x32 NAME: see priv_abi.h. */
#include "priv_abi.h"

int main(int argc, char **argv)
{
	abi_main("priv.x32", ABI_X32, argc, argv);
}
