# mpwan: multipath WAN for OpenWrt.
#   make            build the qjs bundles and the LuCI views into build/, and build/relay/mpwan-relay
#   make install    lay out the router files under DESTDIR (make install-luci: the LuCI pages)
#   make test       install what tests need, then unit, relay (C and namespaces), qjs, package, namespace and LuCI browser tests
#   make bench      measure and write bench/results.md
#   make demo       a simulated router in network namespaces (fibre + LTE, through linkem)
#   make package    dist/: mpwan (this machine's architecture) and luci-app-mpwan .ipk files, and the
#                   release tarball with the server kit (static qjs and mpwan-relay, x86_64 and aarch64)
#   make feed       dist/feed/: signed feeds for OpenWrt 24.10 (opkg) and 25.12 (apk), every router
#                   architecture (ARCH=... for some; UNSIGNED=1 for none; keys from make feed-key)
#   make feed-key   the feed's signing keys, once, outside the repository (MPWAN_FEED_KEY_DIR)
#   make test-feed  make feed's checks for every architecture (make test checks one: mipsel_24kc)

DESTDIR ?= $(CURDIR)/build/root
NODE_DEPS := node_modules/.package-lock.json
SOURCES := $(shell find src -name '*.ts') package.json package-lock.json scripts/build.mjs

.PHONY: linkem test-linkem test-relay all build relay kit install install-luci test test-unit test-qjs test-netns typecheck bench demo deps clean package test-package feed feed-key test-feed

all: build

$(NODE_DEPS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

ACL := luci-app/luci-app-mpwan/root/usr/share/rpcd/acl.d/luci-app-mpwan.json

build: build/bundle/mpwan.js luci relay

# The C data path; its own Makefile tracks what to rebuild (build/relay/mpwan-relay, stripped).
relay:
	$(MAKE) -s -C src/relay

# The link emulator of the namespace tests, the bench and the demo (test/linkem/README.md).
linkem:
	$(MAKE) -s -C test/linkem

# The server kit the release tarball carries: build/kit/<arch>/{qjs,mpwan-relay}, static.
kit:
	scripts/build-kit.sh

build/bundle/mpwan.js: $(NODE_DEPS) $(SOURCES) $(wildcard test/qjs/entries/*.ts)
	node scripts/build.mjs

install: build
	install -d $(DESTDIR)/usr/sbin $(DESTDIR)/etc/config $(DESTDIR)/etc/init.d $(DESTDIR)/etc/hotplug.d/iface \
		$(DESTDIR)/usr/libexec/rpcd $(DESTDIR)/usr/share/rpcd/acl.d $(DESTDIR)/usr/share/mpwan
	install -m 0755 build/bundle/mpwan.js $(DESTDIR)/usr/sbin/mpwan
	install -m 0755 build/bundle/rpcd-mpwan.js $(DESTDIR)/usr/libexec/rpcd/mpwan
	install -m 0644 build/bundle/rpcd-methods.js $(DESTDIR)/usr/share/mpwan/rpcd-methods.js
	install -m 0755 build/relay/mpwan-relay $(DESTDIR)/usr/sbin/mpwan-relay
	install -m 0600 files/etc/config/mpwan $(DESTDIR)/etc/config/mpwan
	install -m 0755 files/etc/init.d/mpwan $(DESTDIR)/etc/init.d/mpwan
	install -m 0644 files/etc/hotplug.d/iface/95-mpwan $(DESTDIR)/etc/hotplug.d/iface/95-mpwan
	install -m 0644 $(ACL) $(DESTDIR)/usr/share/rpcd/acl.d/luci-app-mpwan.json

# The LuCI pages (what luci-app-mpwan installs).
install-luci: luci
	install -d $(DESTDIR)/www/luci-static/resources/view/mpwan $(DESTDIR)/usr/share/luci/menu.d $(DESTDIR)/usr/share/rpcd/acl.d
	install -m 0644 build/luci/htdocs/luci-static/resources/view/mpwan/*.js $(DESTDIR)/www/luci-static/resources/view/mpwan/
	install -m 0644 luci-app/luci-app-mpwan/root/usr/share/luci/menu.d/luci-app-mpwan.json $(DESTDIR)/usr/share/luci/menu.d/
	install -m 0644 $(ACL) $(DESTDIR)/usr/share/rpcd/acl.d/luci-app-mpwan.json

deps:
	scripts/ensure-deps.sh

typecheck: $(NODE_DEPS)
	npx tsc --noEmit -p .
	npx tsc --noEmit -p test

test: deps typecheck build package linkem
	npx mocha --reporter dot 'test/unit/**/*.test.ts'
	# The link emulator: its model's unit tests (ASan/UBSan), then measured against its settings.
	$(MAKE) -s -C test/linkem test
	npx mocha --reporter spec --timeout 120000 'test/linkem/**/*.test.ts'
	# The relay: C unit tests under ASan/UBSan, then both builds in namespaces (fuzzed input too).
	$(MAKE) -s -C src/relay sanitize test
	npx mocha --reporter spec --timeout 120000 'test/relay/**/*.test.ts'
	QJS=$$(scripts/ensure-qjs.sh) npx mocha --reporter spec --timeout 60000 'test/qjs/**/*.test.ts'
	QJS=$$(scripts/ensure-qjs.sh) npx mocha --reporter spec --timeout 60000 'test/package/**/*.test.ts'
	# The feeds (one architecture: mipsel_24kc, whose 24Kc has no FPU), read as opkg/apk read them; programs under qemu.
	npx mocha --reporter spec --timeout 900000 'test/feed/**/*.test.ts'
	QJS=$$(scripts/ensure-qjs.sh) npx mocha --reporter spec --timeout 120000 'test/netns/**/*.test.ts'
	# The core scenario once more, run entirely from the files of the built .ipk.
	MPWAN_TEST_INSTALL=ipk QJS=$$(scripts/ensure-qjs.sh) npx mocha --reporter dot --timeout 120000 test/netns/core.test.ts
	# And LAN aggregation with the relay engine, from the .ipk's files (mpwan-relay included).
	MPWAN_TEST_INSTALL=ipk MPWAN_TEST_ENGINES=relay QJS=$$(scripts/ensure-qjs.sh) npx mocha --reporter dot --timeout 120000 test/netns/proxy.test.ts
	QJS=$$(scripts/ensure-qjs.sh) npx mocha --reporter spec --timeout 90000 'test/luci/**/*.test.ts'

test-linkem: deps linkem
	$(MAKE) -s -C test/linkem test
	npx mocha --reporter spec --timeout 120000 'test/linkem/**/*.test.ts'

test-relay: deps relay
	$(MAKE) -s -C src/relay sanitize test
	npx mocha --reporter spec --timeout 120000 'test/relay/**/*.test.ts'

test-unit: $(NODE_DEPS)
	npx mocha --reporter dot 'test/unit/**/*.test.ts'

bench: deps build linkem
	QJS=$$(scripts/ensure-qjs.sh) npx tsx bench/run.ts

demo: deps build linkem
	QJS=$$(scripts/ensure-qjs.sh) npx tsx scripts/demo.ts

package: build luci kit
	node scripts/package.mjs

# ARCH: some of mipsel_24kc arm_cortex-a7_neon-vfpv4 aarch64_cortex-a53 aarch64_generic x86_64 (default all).
feed: deps build luci
	node scripts/feed.mjs $(foreach a,$(ARCH),--arch $(a)) $(if $(UNSIGNED),--unsigned)

feed-key:
	node scripts/feed-key.mjs

test-feed: deps build luci
	MPWAN_FEED_ARCHES=all npx mocha --reporter spec --timeout 900000 'test/feed/**/*.test.ts'

test-package: deps package
	QJS=$$(scripts/ensure-qjs.sh) npx mocha --reporter spec --timeout 60000 'test/package/**/*.test.ts'

clean:
	rm -rf build dist

# LuCI views: TypeScript -> LuCI class files under build/luci, and the .pot template.
LUCI_SOURCES := $(shell find luci-app/luci-app-mpwan/ts src -name '*.ts') scripts/build-luci.mjs

.PHONY: luci test-luci

luci: build/luci/htdocs/luci-static/resources/view/mpwan/status.js

build/luci/htdocs/luci-static/resources/view/mpwan/status.js: $(NODE_DEPS) $(LUCI_SOURCES)
	npx tsc --noEmit -p luci-app/luci-app-mpwan
	node scripts/build-luci.mjs

test-luci: deps build luci
	QJS=$$(scripts/ensure-qjs.sh) npx mocha --reporter spec --timeout 90000 'test/luci/**/*.test.ts'
