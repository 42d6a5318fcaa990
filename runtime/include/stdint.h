#ifndef _ZVM_STDINT_H
#define _ZVM_STDINT_H
#include <stdint-gcc.h>
#endif
