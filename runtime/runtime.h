#include "runtime/image.h"
#include "runtime/container.h"
