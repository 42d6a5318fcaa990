# The playground (playground/, docs/http.md): HTML, CSS and one JavaScript
# bundle in $(B)/playground, which zvm serve hands out at /. CodeMirror and
# esbuild come from npm at the versions of the committed package-lock.json,
# installed under $(B)/npm (the source tree stays clean); the page loads
# nothing from anywhere else. The browser test's Node packages
# (tests/browser/: playwright-core) are installed the same way.
PLAY_JS    := $(wildcard playground/src/*.js)
PLAY_NPM   := $(B)/npm/playground
BROWSER_NPM := $(B)/npm/browser

$(PLAY_NPM)/.installed: playground/package.json playground/package-lock.json playground/.npmrc
	@mkdir -p $(dir $@)
	cp $^ $(dir $@)
	cd $(dir $@) && npm ci --no-audit --no-fund --loglevel=error
	touch $@
$(BROWSER_NPM)/.installed: tests/browser/package.json tests/browser/package-lock.json tests/browser/.npmrc
	@mkdir -p $(dir $@)
	cp $^ $(dir $@)
	cd $(dir $@) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(B)/playground/app.js: $(PLAY_JS) $(PLAY_NPM)/.installed
	@mkdir -p $(dir $@)
	NODE_PATH=$(abspath $(PLAY_NPM)/node_modules) $(PLAY_NPM)/node_modules/.bin/esbuild playground/src/main.js \
		--bundle --minify --format=iife --target=es2020 --legal-comments=eof --log-level=warning --outfile=$@
$(B)/playground/%: playground/%
	@mkdir -p $(dir $@)
	cp $< $@

.PHONY: playground
playground: $(B)/playground/app.js $(B)/playground/index.html $(B)/playground/style.css $(BROWSER_NPM)/.installed
all: playground
