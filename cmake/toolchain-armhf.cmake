# Cross-compile minikube for Debian's armhf on an amd64 Debian 12 machine, with
# Debian's cross compiler (arm-linux-gnueabihf-gcc) and the :armhf -dev packages installed through
# multiarch (scripts/install-cross-deps armhf).
#   cmake -S . -B /tmp/build-armhf -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-armhf.cmake
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-linux-gnueabihf-gcc)
set(CMAKE_AR arm-linux-gnueabihf-ar CACHE FILEPATH "")
set(CMAKE_RANLIB arm-linux-gnueabihf-ranlib CACHE FILEPATH "")
set(CMAKE_STRIP arm-linux-gnueabihf-strip CACHE FILEPATH "")
set(CMAKE_LIBRARY_ARCHITECTURE arm-linux-gnueabihf)
# 32-bit: 64-bit off_t/ino_t (image blobs over 2 GB; readdir under qemu-user on
# a 64-bit host). Not _TIME_BITS=64: Debian 12's armhf libraries (libarchive's
# archive_entry_mtime, ...) use a 32-bit time_t, and the ABIs must agree.
# -Wno-type-limits: portable checks such as `size_t_value < INT64_MAX` are
# always true with a 32-bit size_t; that is not a defect here.
set(CMAKE_C_FLAGS_INIT "-D_FILE_OFFSET_BITS=64 -Wno-type-limits")

# Multiarch puts the foreign libraries and headers beside the host's, so the
# sysroot is / and only the arm-linux-gnueabihf directories are searched for libraries.
set(CMAKE_FIND_ROOT_PATH /usr/arm-linux-gnueabihf)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)

# pkg-config must see only the armhf .pc files (plus arch-independent ones).
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/arm-linux-gnueabihf/pkgconfig:/usr/share/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "")

# ctest runs the test programs through qemu user-mode emulation; the armhf
# dynamic loader and libraries are found in / thanks to multiarch.
find_program(MK_QEMU qemu-arm-static)
if(MK_QEMU)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${MK_QEMU})
endif()
