# Onyx build. `make` builds build/onyx; `make demo` boots the example
# HTTP service; `make test` runs every test. V=1 shows commands.

BUILD := build
LWIP_DIR := $(BUILD)/src/lwip
SETUP_STAMP := $(BUILD)/.setup-done

ifeq ($(V),1)
Q :=
else
Q := @
endif

CC := gcc
MUSL_INCLUDE := /usr/include/x86_64-linux-musl
GCC_INCLUDE := $(shell $(CC) -print-file-name=include)

# ---- host side: the onyx tool and monitor ----------------------------
HOST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wshadow \
    -Wno-unused-parameter -Wstrict-prototypes -Wmissing-prototypes \
    -D_GNU_SOURCE -D_FORTIFY_SOURCE=2 \
    -fstack-protector-strong -fPIE \
    -Iinclude -Ihost
HOST_LDFLAGS := -pie -Wl,-z,relro,-z,now
HOST_LIBS := -lslirp -lpthread

# ---- guest side: the library OS kernel ---------------------------------
GUEST_COMMON := -std=gnu11 -O2 -g \
    -ffreestanding            `\# no hosted libc: we are the kernel` \
    -fno-pic -fno-pie         `\# linked at a fixed high address` \
    -mcmodel=kernel           `\# sign-extended 32-bit addresses: image below 2 GiB` \
    -mno-red-zone             `\# exception entry may share a stack` \
    -mgeneral-regs-only       `\# never touch app SSE/AVX state` \
    -fno-stack-protector      `\# %fs belongs to app TLS` \
    -fno-omit-frame-pointer   `\# crash reports walk frame pointers` \
    -fno-asynchronous-unwind-tables \
    -fno-common \
    -nostdinc                 `\# musl headers give the Linux ABI types` \
    -isystem $(MUSL_INCLUDE) -isystem $(GCC_INCLUDE) \
    -D_GNU_SOURCE -Iinclude -Iguest/include
GUEST_CFLAGS := $(GUEST_COMMON) -Wall -Wextra -Werror -Wshadow \
    -Wno-unused-parameter -Wmissing-prototypes \
    -Iguest/net/lwip_port -I$(LWIP_DIR)/src/include
# lwIP is imported: its own warnings are not ours to fail on.
LWIP_CFLAGS := $(GUEST_COMMON) -w \
    -Iguest/net/lwip_port -I$(LWIP_DIR)/src/include
GUEST_LDFLAGS := -nostdlib -static -z max-page-size=4096 \
    -z noexecstack -T guest/arch/x86_64/kernel.ld

HOST_SRCS := $(sort $(wildcard host/*.c))
HOST_OBJS := $(HOST_SRCS:%.c=$(BUILD)/%.o)
HOST_LIB_OBJS := $(filter-out $(BUILD)/host/main.o,$(HOST_OBJS))

GUEST_C := $(sort $(shell find guest -name '*.c'))
GUEST_S := $(sort $(shell find guest -name '*.S'))
GUEST_OBJS := $(GUEST_C:%.c=$(BUILD)/%.o) $(GUEST_S:%.S=$(BUILD)/%.o)
# Two kernels from one tree, chosen by file: guest/net/ + lwIP (full) or
# guest/net_none/ (minimal, for apps that cannot open an AF_INET socket).
GUEST_NET_OBJS := $(filter $(BUILD)/guest/net/%,$(GUEST_OBJS))
GUEST_NONET_OBJS := $(filter $(BUILD)/guest/net_none/%,$(GUEST_OBJS))
GUEST_CORE_OBJS := $(filter-out $(GUEST_NET_OBJS) $(GUEST_NONET_OBJS), \
    $(GUEST_OBJS))

LWIP_SRCS := \
    core/init.c core/def.c core/dns.c core/inet_chksum.c core/ip.c \
    core/mem.c core/memp.c core/netif.c core/pbuf.c core/raw.c \
    core/stats.c core/sys.c core/tcp.c core/tcp_in.c core/tcp_out.c \
    core/timeouts.c core/udp.c \
    core/ipv4/etharp.c core/ipv4/icmp.c core/ipv4/ip4.c \
    core/ipv4/ip4_addr.c core/ipv4/ip4_frag.c \
    api/api_lib.c api/api_msg.c api/err.c api/if_api.c api/netbuf.c \
    api/netdb.c api/netifapi.c api/sockets.c api/tcpip.c \
    netif/ethernet.c
LWIP_OBJS := $(LWIP_SRCS:%.c=$(BUILD)/lwip/%.o)

KERNEL := $(BUILD)/kernel/onyx-kernel.elf
KERNEL_MIN := $(BUILD)/kernel/onyx-kernel-minimal.elf
ONYX := $(BUILD)/onyx

.PHONY: all setup demo test unit bench clean examples
all: $(ONYX)

setup: $(SETUP_STAMP)
$(SETUP_STAMP): scripts/setup.sh
	$(Q)bash scripts/setup.sh

# lwIP's sources appear when the set-up unpacks them; with make -j the
# rule must say so, or make gives up on them before the set-up ran.
$(LWIP_DIR)/src/%.c: | $(SETUP_STAMP)
	@test -f $@ || { echo "missing $@: rerun scripts/setup.sh" >&2; exit 1; }
# ... and they are sources, not intermediates make may delete.
.PRECIOUS: $(LWIP_DIR)/src/%.c

# Objects depend on the set-up so a fresh clone installs first.
$(BUILD)/host/%.o: host/%.c | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/guest/%.o: guest/%.c | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC [g]  $<")
	$(Q)$(CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/guest/%.o: guest/%.S | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS [g]  $<")
	$(Q)$(CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/lwip/%.o: $(LWIP_DIR)/src/%.c | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC [l]  $<")
	$(Q)$(CC) $(LWIP_CFLAGS) -MMD -MP -c $< -o $@

KERNEL_FULL_OBJS := $(GUEST_CORE_OBJS) $(GUEST_NET_OBJS) $(LWIP_OBJS)
KERNEL_MIN_OBJS := $(GUEST_CORE_OBJS) $(GUEST_NONET_OBJS)

$(KERNEL): $(KERNEL_FULL_OBJS) guest/arch/x86_64/kernel.ld
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)ld $(GUEST_LDFLAGS) -o $@ $(KERNEL_FULL_OBJS) \
	    $(shell $(CC) -print-libgcc-file-name)

$(KERNEL_MIN): $(KERNEL_MIN_OBJS) guest/arch/x86_64/kernel.ld
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)ld $(GUEST_LDFLAGS) -o $@ $(KERNEL_MIN_OBJS) \
	    $(shell $(CC) -print-libgcc-file-name)

# Images carry the kernel without DWARF (its symbol table stays, for
# crash reports); build/kernel/onyx-kernel.elf keeps it for gdb.
KERNEL_IMAGE := $(BUILD)/kernel/onyx-kernel.stripped.elf
KERNEL_MIN_IMAGE := $(BUILD)/kernel/onyx-kernel-minimal.stripped.elf
$(KERNEL_IMAGE): $(KERNEL)
	$(Q)objcopy --strip-debug $< $@
$(KERNEL_MIN_IMAGE): $(KERNEL_MIN)
	$(Q)objcopy --strip-debug $< $@

# Both kernel ELFs are embedded in the onyx binary (host/kernel_blob.S),
# with lwIP's code+data bytes (size's text+data+bss of its objects) for
# `onyx inspect`.
$(BUILD)/host/kernel_blob.o: host/kernel_blob.S $(KERNEL_IMAGE) \
        $(KERNEL_MIN_IMAGE)
	@mkdir -p $(dir $@)
	$(Q)$(CC) -c -DKERNEL_PATH='"$(KERNEL_IMAGE)"' \
	    -DKERNEL_MINIMAL_PATH='"$(KERNEL_MIN_IMAGE)"' \
	    -DLWIP_BYTES=$$(size -t $(LWIP_OBJS) | awk 'END { print $$4 }') \
	    $< -o $@

$(ONYX): $(HOST_OBJS) $(BUILD)/host/kernel_blob.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(HOST_LDFLAGS) -o $@ $^ $(HOST_LIBS)

# ---- examples -----------------------------------------------------------
HTTPD_IMAGE := $(BUILD)/examples/httpd.onyx
$(HTTPD_IMAGE): $(ONYX) $(wildcard examples/httpd/*.c) \
        $(shell find examples/httpd/rootfs -type f 2>/dev/null)
	@mkdir -p $(dir $@)
	$(Q)$(ONYX) build -o $@ --rootfs examples/httpd/rootfs \
	    examples/httpd/httpd.c examples/httpd/sha256.c -- --port 8080 --root /
examples: $(HTTPD_IMAGE)

demo: $(HTTPD_IMAGE)
	@echo "onyx: booting examples/httpd on KVM; try:"
	@echo "    curl http://localhost:8080/health"
	@echo "    curl http://localhost:8080/"
	@echo "onyx: Ctrl-C stops it"
	$(Q)exec $(ONYX) run -p 8080:8080 $(HTTPD_IMAGE)

# ---- tests ----------------------------------------------------------------
UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)

$(BUILD)/tests/unit/%: tests/unit/%.c $(HOST_LIB_OBJS) $(BUILD)/host/kernel_blob.o
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(HOST_CFLAGS) $(HOST_LDFLAGS) -Itests/unit -o $@ $^ $(HOST_LIBS)

unit: $(UNIT_BINS)

test: $(ONYX) $(UNIT_BINS) $(HTTPD_IMAGE)
	$(Q)bash tests/run.sh

# Real programs from Debian's packages: make apps, make test-apps.
include apps/apps.mk

clean:
	rm -rf $(BUILD)/host $(BUILD)/guest $(BUILD)/lwip $(BUILD)/kernel \
	    $(BUILD)/tests $(BUILD)/examples $(ONYX)

-include $(shell find $(BUILD) -path $(BUILD)/src -prune -o -name '*.d' -type f -print 2>/dev/null)
