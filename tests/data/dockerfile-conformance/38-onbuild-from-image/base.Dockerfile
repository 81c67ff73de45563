ARG ALPINE
FROM ${ALPINE}
RUN mkdir /onbuild
ONBUILD COPY trigger.txt /onbuild/copied.txt
ONBUILD RUN echo "ran at child build" > /onbuild/ran.txt
ONBUILD ENV TRIGGERED=yes
ONBUILD LABEL triggered=yes
