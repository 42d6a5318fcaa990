# Read beside CPython's own Makefile (make -f Makefile -f print-link.mk):
# the objects and libraries its `python` link uses, for a program with
# another main (mk/python/template.c).
print-link:
	@echo $(LINK_PYTHON_OBJS) $(LIBS) $(MODLIBS) $(SYSLIBS)
