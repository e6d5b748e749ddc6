# make heapmap: pictures of the heap over time (tools/heapviz/,
# docs/heapviz.md). heapviz replays a trace against mm/ and writes PNGs
# (libpng) and plots (gnuplot); everything goes to build/heapmap/.
HEAPVIZ_B      := $(B)/heapviz
HEAPVIZ        := $(HEAPVIZ_B)/heapviz
HEAPVIZ_SRCS   := $(sort $(wildcard tools/heapviz/*.c)) tests/common/rng.c \
                  $(MM_SRCS) $(HOST_SRCS)
HEAPVIZ_OBJS   := $(patsubst %.c,$(HEAPVIZ_B)/obj/%.o,$(HEAPVIZ_SRCS))
HEAPVIZ_CFLAGS := $(WARN) -O2 -g -I. -MMD -MP
# The test's PNG reader: decodes with libpng, independently of the writer.
HEAPVIZ_PNGINFO := $(HEAPVIZ_B)/pnginfo
HEAPMAP_OUT       ?= $(B)/heapmap
HEAPMAP_SCENARIOS ?= fill-free-alternate mixed realloc-growth
# e.g. make heapmap HEAPMAP_ARGS='--checking --seed 7' (heapviz --help)
HEAPMAP_ARGS      ?=

.PHONY: heapmap tools-viz

tools-viz:
	@$(INSTALL_DEPS) viz

$(HEAPVIZ_B)/obj/%.o: %.c | tools-host tools-viz
	@mkdir -p $(dir $@)
	$(say) CC heapviz/$<
	$(Q)$(CC) $(HEAPVIZ_CFLAGS) -c $< -o $@

$(HEAPVIZ): $(HEAPVIZ_OBJS)
	$(say) LD $@
	$(Q)$(CC) -o $@ $^ -lpng

$(HEAPVIZ_PNGINFO): $(HEAPVIZ_B)/obj/tests/heapviz/pnginfo.o
	$(say) LD $@
	$(Q)$(CC) -o $@ $^ -lpng

heapmap: $(HEAPVIZ) ## pictures of the heap over time: build/heapmap/<scenario>/
	@for s in $(HEAPMAP_SCENARIOS); do \
		$(HEAPVIZ) --scenario $$s --out $(HEAPMAP_OUT)/$$s \
			--frame-rows 4 --frame-height 96 $(HEAPMAP_ARGS) || exit 1; \
	done
	@echo "heapmap: open $(HEAPMAP_OUT)/<scenario>/heapmap.png first; docs/heapviz.md says how to read it"

# Runs the tool on small scenarios and checks the pictures and numbers.
TEST_SUITES += tests/heapviz/run.sh
TEST_DEPS   += $(HEAPVIZ) $(HEAPVIZ_PNGINFO)
