/** Autocomplete: what has been typed into a command's argument → at most 25 suggestions from the bot layer. */
import type { AutocompleteInteraction } from "discord.js";
import type { Suggestion } from "../../bot/types.js";
import { clip, type DiscordContext, errorFields, textField } from "./context.js";
import { chatOf, userOf } from "./interactions.js";
import { ASK } from "./register.js";

/** Discord's limits on autocomplete choices. */
const LIMITS = { choices: 25, choice: 100 } as const;

export async function answerAutocomplete(
  context: DiscordContext,
  interaction: AutocompleteInteraction,
): Promise<void> {
  const { bot, log } = context;
  const focused = interaction.options.getFocused(true);
  const prefix = String(focused.value ?? "");
  let suggestions: Suggestion[] = [];
  try {
    const chat = chatOf(interaction);
    const name = interaction.commandName;
    // /ask is Discord's way of typing a question; every other command's argument is the bot layer's.
    suggestions =
      name === ASK.name
        ? bot.suggestQuestions(prefix, LIMITS.choices, {
            platform: "discord",
            userId: userOf(interaction, chat).id,
          })
        : await bot.suggestFor(name, prefix, { chat, user: userOf(interaction, chat) });
  } catch (error) {
    log.error(
      { interaction: interaction.id, ...errorFields(context, error) },
      "discord: autocomplete failed",
    );
  }
  const seen = new Set<string>();
  const choices = suggestions
    .map((s) => ({ name: clip(s.label.trim(), LIMITS.choice), value: clip(s.value.trim(), LIMITS.choice) }))
    .filter((c) => c.name !== "" && c.value !== "" && !seen.has(c.value) && seen.add(c.value))
    .slice(0, LIMITS.choices);
  try {
    await interaction.respond(choices);
    log.debug(
      {
        interaction: interaction.id,
        command: interaction.commandName,
        choices: choices.length,
        ...textField(context, prefix),
      },
      "discord: autocomplete",
    );
  } catch (error) {
    log.warn(
      { interaction: interaction.id, ...errorFields(context, error) },
      "discord: could not answer autocomplete",
    );
  }
}
