# retail_fdw: PGXS build.
#
#   make                 build (add WERROR=1 to turn warnings into errors)
#   make install         install into the PostgreSQL found by PG_CONFIG
#   make installcheck    pg_regress against a running server (see test/)

EXTENSION = retail_fdw
MODULE_big = retail_fdw
OBJS = fdw/retail_fdw.o fdw/option.o fdw/pushdown.o fdw/reqplan.o fdw/http.o fdw/json.o fdw/jsonpage.o \
	fdw/modify.o fdw/vendor.o fdw/vendor_journey.o fdw/vendor_retailnext.o \
	fdw/vendor_retailnext_datamine.o fdw/vendor_aifi.o \
	fdw/vendor_inspector.o fdw/functions.o fdw/stats.o
DATA = fdw/retail_fdw--0.1.sql
PGFILEDESC = "retail_fdw - foreign data wrapper for retail analytics APIs"

REGRESS = setup options pushdown results errors joins import aifi retailnext truth stitching actions inspector ecosystem
REGRESS_OPTS = --inputdir=. --outputdir=test/results

SHLIB_LINK = -lcurl -ljson-c
PG_CPPFLAGS = -Ifdw
# -Wextra minus what PostgreSQL's own headers and callback signatures trip
PG_CFLAGS = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
ifeq ($(WERROR),1)
PG_CFLAGS += -Werror
endif

EXTRA_CLEAN = test/results

PG_CONFIG ?= $(shell test -x /usr/lib/postgresql/15/bin/pg_config && echo /usr/lib/postgresql/15/bin/pg_config || echo pg_config)
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# every module includes the one header
$(OBJS): fdw/retail_fdw.h fdw/rf_descriptor.h
fdw/json.o fdw/jsonpage.o: fdw/jsonpage.h fdw/rf_port.h
