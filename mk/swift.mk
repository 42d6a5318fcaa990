# zvm in OpenStack Swift (docs/swift.md): Python filters, nothing to build.
# `make swift-demo` starts the rig (integrations/swift/rig.sh), runs the word
# count over objects and stops it; tests/swift/t_swift.sh runs in make check.
.PHONY: swift-demo
swift-demo: deps
	$(MAKE) all
	BUILD=$(B) integrations/swift/demo.sh
