/*
 * lua-template.c — Lua 5.4 as a template (docs/zvmd.md, "Templates"): the
 * interpreter and its standard libraries are set up once, before the keep;
 * each job, a copy, runs its own script.
 *
 *   zvm submit --keep-as lua build/lua-template.nexe
 *   zvm submit --template lua -- -e 'print("hello")'
 *   zvm submit --template lua --image job.tar -- main.lua a b
 *
 * Arguments (the job's): `-e CODE` or `SCRIPT`, then the script's own, in
 * the global `arg` as lua(1) sets it. Run alone (`zvm run`) it does the
 * same in one go.
 */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <zvm.h>

#include "lauxlib.h"
#include "lua.h"
#include "lualib.h"

static int report(lua_State *L, int status)
{
	if (status != LUA_OK) {
		const char *msg = lua_tostring(L, -1);
		fprintf(stderr, "lua: %s\n", msg ? msg : "(error object is not a string)");
		lua_pop(L, 1);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	lua_State *L = luaL_newstate();
	int first;

	if (!L) {
		fprintf(stderr, "lua: cannot create state: not enough memory\n");
		return 1;
	}
	luaL_openlibs(L);
	/* everything above is the template's; below, the job's */
	if (zvm_template_keep(&argc, &argv) == 1) {
		/* math.random was seeded when the template opened the libraries:
		 * every copy would draw the same numbers. Re-seed it from the
		 * job's own random stream (its Seed). */
		unsigned long long s[2];
		if (getrandom(s, sizeof(s), 0) == sizeof(s)) {
			lua_getglobal(L, "math");
			lua_getfield(L, -1, "randomseed");
			lua_pushinteger(L, (lua_Integer)s[0]);
			lua_pushinteger(L, (lua_Integer)s[1]);
			lua_call(L, 2, 0);
			lua_pop(L, 1);
		}
	}
	if (argc < 2) {
		fprintf(stderr, "usage: %s (-e CODE | SCRIPT) [ARGS...]\n", argv[0]);
		return 2;
	}
	first = !strcmp(argv[1], "-e") ? 2 : 1;
	if (first == 2 && argc < 3) {
		fprintf(stderr, "lua: -e needs an argument\n");
		return 2;
	}
	lua_createtable(L, argc, 0);
	for (int i = 0; i < argc; i++) {
		lua_pushstring(L, argv[i]);
		lua_rawseti(L, -2, i - first);
	}
	lua_setglobal(L, "arg");
	if (first == 2)
		return report(L, luaL_dostring(L, argv[2]));
	return report(L, luaL_dofile(L, argv[1]));
}
