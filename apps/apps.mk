# Real programs built unmodified from Debian's packages (issue #3):
# `make apps` builds build/apps/NAME.onyx for each; `make test-apps` runs
# their tests (tests/apps/NAME/test.sh), which tests/run.sh also runs and
# skips when an image was not built. Included by the main Makefile.

APPS := lua sqlite3 busybox redis nginx
APP_IMAGES := $(APPS:%=$(BUILD)/apps/%.onyx)

.PHONY: apps test-apps $(APPS:%=app-%)
apps: $(APP_IMAGES)

# One rule per app: rebuilt when the tool, the build script or the app's
# own files (config, rootfs) change.
define APP_RULE
$(BUILD)/apps/$(1).onyx: $(ONYX) apps/build.sh scripts/fetch-src.sh \
        $(shell find apps/$(1) -type f 2>/dev/null)
	$(Q)bash apps/build.sh $(1)
app-$(1): $(BUILD)/apps/$(1).onyx
endef
$(foreach a,$(APPS),$(eval $(call APP_RULE,$(a))))

test-apps: $(ONYX) $(APP_IMAGES)
	$(Q)bash tests/run.sh apps/
