# mk/lib.mk - mm/ as a program's malloc (lib/libmm.c): build/lib/libmm.so
# for LD_PRELOAD or -lmm, build/lib/libmm.a, and `make install`.
# Only the C library's allocation functions are exported; mm/'s own names
# stay inside. Initial-exec TLS: the library is loaded at start-up (preload
# or link), and its thread-local words then need no call to reach.
LIB_DIR    := $(B)/lib
LIB_SRCS   := $(MM_SRCS) host/mm_host.c lib/libmm.c
LIB_OBJS   := $(patsubst %.c,$(LIB_DIR)/obj/%.o,$(LIB_SRCS))
LIB_CFLAGS := $(WARN) -O2 -g -I. -MMD -MP -fPIC -pthread \
        -fvisibility=hidden -ftls-model=initial-exec
PREFIX     ?= /usr/local

.PHONY: lib install
lib: $(LIB_DIR)/libmm.so $(LIB_DIR)/libmm.a ## build the drop-in malloc: build/lib/libmm.so and libmm.a

$(LIB_DIR)/obj/%.o: %.c | tools-host
	@mkdir -p $(dir $@)
	$(say) CC "lib/$<"
	$(Q)$(CC) $(LIB_CFLAGS) -c $< -o $@

$(LIB_DIR)/libmm.so: $(LIB_OBJS)
	$(say) LD $@
	$(Q)$(CC) -shared -pthread -Wl,-soname,libmm.so -Wl,-z,now -o $@ $^

$(LIB_DIR)/libmm.a: $(LIB_OBJS)
	$(say) AR $@
	$(Q)rm -f $@ && ar rcs $@ $^

# mm.pc is written at install time: it names the PREFIX installed to.
install: lib ## install libmm, mm/heap.h and mm.pc under PREFIX (default /usr/local)
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/mm
	install -m 755 $(LIB_DIR)/libmm.so $(DESTDIR)$(PREFIX)/lib/
	install -m 644 $(LIB_DIR)/libmm.a $(DESTDIR)$(PREFIX)/lib/
	install -m 644 mm/heap.h $(DESTDIR)$(PREFIX)/include/mm/
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$${prefix}/lib' \
		'includedir=$${prefix}/include' '' 'Name: mm' \
		'Description: alloc: a small, hardened malloc (mm/)' \
		'Version: 0.1' 'Libs: -L$${libdir} -lmm -pthread' \
		'Cflags: -I$${includedir}' > $(DESTDIR)$(PREFIX)/lib/pkgconfig/mm.pc

# tests/lib/: libcheck runs each case under LD_PRELOAD; the static one is
# the same program linked with libmm.a. -g: the tests ask addr2line which
# function a fault report names.
$(LIB_DIR)/libcheck: tests/lib/libcheck.c | tools-host
	$(say) CCLD $@
	$(Q)$(CC) $(WARN) -O2 -g -pthread -o $@ $<

$(LIB_DIR)/libcheck-static: tests/lib/libcheck.c $(LIB_DIR)/libmm.a | tools-host
	$(say) CCLD $@
	$(Q)$(CC) $(WARN) -O2 -g -pthread -o $@ $< $(LIB_DIR)/libmm.a

TEST_SUITES += tests/lib/run.sh
TEST_DEPS   += lib $(LIB_DIR)/libcheck $(LIB_DIR)/libcheck-static
