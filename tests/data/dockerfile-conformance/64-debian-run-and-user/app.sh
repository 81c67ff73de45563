#!/bin/sh
echo "app as $(id -un)"
