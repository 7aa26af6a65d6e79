/* h2o/version.h: the libh2o version libh2o-rs is a drop-in for.
 *
 * Hand-written. libh2o-rs implements the API and ABI of libh2o-evloop 2.2.5 (library version
 * 0.13.5, SONAME libh2o-evloop.so.0.13), so the macros say so: code that tests them picks the
 * 2.2.5 code paths, which are the ones this library provides. */
#ifndef h2o__version_h
#define h2o__version_h

#define H2O_VERSION "2.2.5"
#define H2O_VERSION_MAJOR 2
#define H2O_VERSION_MINOR 2
#define H2O_VERSION_PATCH 5

#define H2O_LIBRARY_VERSION_MAJOR 0
#define H2O_LIBRARY_VERSION_MINOR 13
#define H2O_LIBRARY_VERSION_PATCH 5

#endif
