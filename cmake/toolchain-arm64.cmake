# Cross-compile minikube for Debian's arm64 on an amd64 Debian 12 machine, with
# Debian's cross compiler (aarch64-linux-gnu-gcc) and the :arm64 -dev packages installed through
# multiarch (scripts/install-cross-deps arm64).
#   cmake -S . -B /tmp/build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-arm64.cmake
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_AR aarch64-linux-gnu-ar CACHE FILEPATH "")
set(CMAKE_RANLIB aarch64-linux-gnu-ranlib CACHE FILEPATH "")
set(CMAKE_STRIP aarch64-linux-gnu-strip CACHE FILEPATH "")
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

# Multiarch puts the foreign libraries and headers beside the host's, so the
# sysroot is / and only the aarch64-linux-gnu directories are searched for libraries.
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)

# pkg-config must see only the arm64 .pc files (plus arch-independent ones).
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "")

# ctest runs the test programs through qemu user-mode emulation; the arm64
# dynamic loader and libraries are found in / thanks to multiarch.
find_program(MK_QEMU qemu-aarch64-static)
if(MK_QEMU)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${MK_QEMU})
endif()
