/* What one binding file needs from another. */
#ifndef CORDON_HARNESS_HBIND_H
#define CORDON_HARNESS_HBIND_H

#include <lua.h>

/* The slave fd of the oracle.pty() userdata at idx; raises when it is not an open pty. */
int oracle_pty_fd(lua_State *L, int idx);

/* Add proc.victim to the table on top of the stack (stack: 0). */
void proc_open_victim(lua_State *L);

#endif
