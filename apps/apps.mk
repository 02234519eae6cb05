# Real programs built unmodified from Debian's packages (issue #3):
# `make apps` builds build/apps/NAME.onyx for each; `make test-apps` runs
# only their tests (tests/apps/NAME/test.sh). Included by the main Makefile.
#
# `make test` builds them too: the whole set builds from scratch (sources
# fetched with apt-get source) in about 70 s on 2 cores, far below the
# 15 minutes that would call for a separate target. tests/run.sh alone
# skips an app whose image was not built.

APPS := lua sqlite3 busybox redis nginx
APP_IMAGES := $(APPS:%=$(BUILD)/apps/%.onyx)

.PHONY: apps test-apps $(APPS:%=app-%)
apps: $(APP_IMAGES)

# Two rules per app. The binary (compiled from the Debian source) depends
# on the build scripts only; the image is repacked whenever build/onyx or
# the app's own files (config, rootfs) change, which takes a second.
define APP_RULE
$(BUILD)/apps/bin/.$(1).done: apps/build.sh scripts/fetch-src.sh
	$(Q)bash apps/build.sh $(1) binary
	$(Q)touch $$@
$(BUILD)/apps/$(1).onyx: $(BUILD)/apps/bin/.$(1).done $(ONYX) \
        $(shell find apps/$(1) -type f 2>/dev/null)
	$(Q)bash apps/build.sh $(1) image
app-$(1): $(BUILD)/apps/$(1).onyx
endef
$(foreach a,$(APPS),$(eval $(call APP_RULE,$(a))))

test: $(APP_IMAGES)

test-apps: $(ONYX) $(APP_IMAGES)
	$(Q)bash tests/run.sh apps/

# The apps' binaries, images and build folders (their fetched sources in
# build/src stay: they do not change).
.PHONY: clean-apps
clean-apps:
	rm -rf $(BUILD)/apps $(BUILD)/src/_work
