# libzvm-client's test against a real zvmd (tests/client/t_client.sh):
# linked with the library alone, as a service would be.
$(B)/tests/bin/client-check: tests/client/client-check.c $(LIBCLIENT)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $< -o $@ $(LIBCLIENT) $(CLIENT_LDLIBS)
all: $(B)/tests/bin/client-check
